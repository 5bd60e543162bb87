import type { UsageBucket, UsageTotals } from '../usage-types.ts'
import { BarChart, formatCost, formatTokens } from './bar-chart.tsx'

export function TotalsRow({ totals }: { totals: UsageTotals }) {
  return (
    <div class="stats">
      <Stat label="Requests" value={String(totals.requests)} />
      <Stat label="Input tokens" value={formatTokens(totals.inputTokens)} />
      <Stat label="Output tokens" value={formatTokens(totals.outputTokens)} />
      <Stat label="Cost" value={formatCost(totals.costMicros)} />
      <Stat label="Errors" value={String(totals.errors)} />
    </div>
  )
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="stat">
      <span>{label}</span>
      <strong>{value}</strong>
    </div>
  )
}

export function BucketTable({ items, keyTitle }: { items: UsageBucket[]; keyTitle: string }) {
  if (!items.length) return <p class="muted">Nothing yet.</p>
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>{keyTitle}</th>
            <th>Requests</th>
            <th>Input</th>
            <th>Output</th>
            <th>Cost</th>
            <th>Errors</th>
          </tr>
        </thead>
        <tbody>
          {items.map((b) => (
            <tr key={b.key}>
              <td>{b.label || b.key || '(none)'}</td>
              <td>{b.requests}</td>
              <td>{formatTokens(b.inputTokens)}</td>
              <td>{formatTokens(b.outputTokens)}</td>
              <td>{formatCost(b.costMicros)}</td>
              <td>{b.errors}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** Every UTC day of the period gets a bar, days without usage too, so the chart reads as a timeline. */
export function TokensByDay({ days, from, to }: { days: UsageBucket[]; from: string; to: string }) {
  const tokens = new Map(days.map((d) => [d.key.slice(0, 10), d.inputTokens + d.outputTokens]))
  const bars = []
  // `to` is exclusive: a period ending at midnight ends with the day before.
  const last = new Date(new Date(to).getTime() - 1)
  for (let day = new Date(from.slice(0, 10) + 'T00:00:00Z'); day <= last && bars.length < 400; day = new Date(day.getTime() + 86_400_000)) {
    const key = day.toISOString().slice(0, 10)
    bars.push({ label: key, value: tokens.get(key) ?? 0 })
  }
  return <BarChart title="Tokens per day" bars={bars} format={formatTokens} />
}
