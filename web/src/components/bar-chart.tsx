export interface Bar {
  label: string
  value: number
}

/** A plain SVG bar chart (no chart library: a few bars over time is all the console draws). */
export function BarChart({ bars, title, format = String }: { bars: Bar[]; title: string; format?: (n: number) => string }) {
  if (!bars.some((b) => b.value > 0)) return <p class="muted">{title}: no usage in this period.</p>
  const width = 640
  const height = 180
  const pad = 24
  const max = Math.max(...bars.map((b) => b.value), 1)
  const step = (width - pad) / bars.length
  const barWidth = Math.min(48, Math.max(2, step * 0.7))
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + pad}`} role="img" aria-label={title}>
        <line x1={pad} y1={height} x2={width} y2={height} class="axis" />
        <text x={0} y={12} class="tick">
          {format(max)}
        </text>
        {bars.map((b, i) => {
          const h = (b.value / max) * (height - 16)
          const x = pad + i * step + (step - barWidth) / 2
          return (
            <g key={b.label}>
              <rect x={x} y={height - h} width={barWidth} height={h} class="bar">
                <title>{`${b.label}: ${format(b.value)}`}</title>
              </rect>
              {(bars.length <= 12 || i % Math.ceil(bars.length / 8) === 0) && (
                <text x={x + barWidth / 2} y={height + 16} class="tick" text-anchor="middle">
                  {/^\d{4}-\d{2}-\d{2}$/.test(b.label) ? b.label.slice(5) : b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label}
                </text>
              )}
            </g>
          )
        })}
      </svg>
    </figure>
  )
}

export const formatTokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n))
export const formatCost = (micros: number) => `$${(micros / 1e6).toFixed(micros < 1e4 ? 4 : 2)}`
