import http from 'node:http'

/** One streaming endpoint to load: a POST whose SSE answer is read to the end. */
export interface Target {
  url: string
  headers: Record<string, string>
  /** The request body for the n-th request of worker w. */
  body: (worker: number, n: number) => string
  /** A chunk matching this carries the first generated token. */
  firstToken: RegExp
}

const OVERHEAD = /: overhead-ms=(\d+)/

export interface LoadResult {
  completed: number
  errors: number
  windowMs: number
  streamsPerSecond: number
  ttft: { p50: number; p99: number }
  total: { p50: number; p99: number }
  /** p50 of the `: overhead-ms=N` the server reported in its streams, if it did. */
  reportedOverheadP50: number
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]! : NaN)

function stream(target: Target, agent: http.Agent, body: string): Promise<{ ttft: number; total: number; overhead: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let ttft = NaN
    let overhead = NaN
    const req = http.request(target.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...target.headers } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        return reject(new Error(`HTTP ${res.statusCode}`))
      }
      res.on('data', (chunk: Buffer) => {
        if (Number.isNaN(ttft) && target.firstToken.test(chunk.toString('latin1'))) ttft = performance.now() - started
        if (chunk.includes(': overhead-ms=')) overhead = Number(OVERHEAD.exec(chunk.toString('latin1'))?.[1])
      })
      res.on('end', () => resolve({ ttft, total: performance.now() - started, overhead }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * `concurrency` workers send streams back to back for warm-up + window. Latencies are taken from
 * streams that started inside the window; throughput counts streams that finished inside it.
 * `onWindow` is called at the window's start and end (to sample the server's CPU).
 */
export async function runLoad(target: Target, concurrency: number, options: { warmupMs: number; windowMs: number; onWindow: (edge: 'start' | 'end') => void }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const t0 = performance.now()
  const windowStart = t0 + options.warmupMs
  const windowEnd = windowStart + options.windowMs
  const ttfts: number[] = []
  const totals: number[] = []
  const overheads: number[] = []
  let completed = 0
  let errors = 0
  const startTimer = setTimeout(() => options.onWindow('start'), options.warmupMs)
  let ended = false
  const end = () => {
    if (!ended) options.onWindow('end')
    ended = true
  }
  const endTimer = setTimeout(end, options.warmupMs + options.windowMs)

  async function worker(w: number) {
    for (let n = 0; performance.now() < windowEnd; n++) {
      const started = performance.now()
      try {
        const { ttft, total, overhead } = await stream(target, agent, target.body(w, n))
        const ended = performance.now()
        if (ended >= windowStart && ended <= windowEnd) completed++
        if (started >= windowStart && ended <= windowEnd) {
          ttfts.push(ttft)
          totals.push(total)
          if (!Number.isNaN(overhead)) overheads.push(overhead)
        }
      } catch {
        if (performance.now() >= windowStart) errors++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  clearTimeout(startTimer)
  clearTimeout(endTimer)
  end() // the last worker may stop a moment before the end timer fires
  agent.destroy()
  ttfts.sort((a, b) => a - b)
  totals.sort((a, b) => a - b)
  overheads.sort((a, b) => a - b)
  return {
    completed,
    errors,
    windowMs: options.windowMs,
    streamsPerSecond: completed / (options.windowMs / 1000),
    ttft: { p50: percentile(ttfts, 0.5), p99: percentile(ttfts, 0.99) },
    total: { p50: percentile(totals, 0.5), p99: percentile(totals, 0.99) },
    reportedOverheadP50: percentile(overheads, 0.5),
  }
}
