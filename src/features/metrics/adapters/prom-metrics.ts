import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Metrics, OAuthRefreshOutcome, StreamSource, UpstreamCallLabels } from '../../../shared/metrics.port.ts'
import type { HttpMetrics, MetricsExporter } from '../metrics-exporter.port.ts'

/** Seconds. HTTP: 5 ms .. 30 s. Upstream calls and first tokens: 50 ms .. 5 min. Overhead: 0.5 ms .. 1 s. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const UPSTREAM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300]
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

export type PoolStats = () => { total: number; idle: number; waiting: number; max: number } | undefined

/**
 * The Metrics port (and the HTTP metrics) on a prom-client Registry of its own, so that several apps
 * in one process (tests) never share or collide on metric names. Labels are low-cardinality only:
 * route templates, provider kinds, model ids and statuses; never user ids, paths or keys.
 */
export class PromMetrics implements Metrics, HttpMetrics, MetricsExporter {
  readonly registry = new Registry()

  private readonly httpRequests = new Counter({
    name: 'chatbase_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  })
  private readonly httpDuration = new Histogram({
    name: 'chatbase_http_request_duration_seconds',
    help: 'Time until the response headers (a stream is measured by the stream metrics), by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  })
  private readonly activeStreams = new Gauge({
    name: 'chatbase_active_streams',
    help: 'Streams open right now, by source (chat or relay)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  })
  private readonly upstreamCalls = new Counter({
    name: 'chatbase_upstream_requests_total',
    help: 'Calls to AI providers by provider kind, model and status (HTTP status, network or aborted)',
    labelNames: ['provider', 'model', 'status'] as const,
    registers: [this.registry],
  })
  private readonly upstreamDuration = new Histogram({
    name: 'chatbase_upstream_request_duration_seconds',
    help: 'Duration of calls to AI providers, first byte sent to last byte received',
    labelNames: ['provider', 'model', 'status'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [this.registry],
  })
  private readonly ttft = new Histogram({
    name: 'chatbase_time_to_first_token_seconds',
    help: 'Time from the start of a reply to its first token, by source, provider kind and model',
    labelNames: ['source', 'provider', 'model'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [this.registry],
  })
  private readonly overheadSeconds = new Histogram({
    name: 'chatbase_overhead_seconds',
    help: 'Time a streamed reply spent in our code rather than waiting on the provider, by source',
    labelNames: ['source'] as const,
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  })
  private readonly tokenCounter = new Counter({
    name: 'chatbase_tokens_total',
    help: 'Tokens by provider kind, model and direction (in = prompt, out = completion)',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [this.registry],
  })
  private readonly quotaRejections = new Counter({
    name: 'chatbase_quota_rejections_total',
    help: 'Requests refused by quotas or rate limits, by source and reason',
    labelNames: ['source', 'reason'] as const,
    registers: [this.registry],
  })

  private readonly oauthRefreshes = new Counter({
    name: 'chatbase_oauth_refreshes_total',
    help: 'OAuth token refreshes of upstream accounts, by provider kind and outcome (refreshed, invalid_grant, failed)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  })
  private readonly accountStatusChanges = new Counter({
    name: 'chatbase_account_status_changes_total',
    help: 'Upstream accounts that entered a status (cooling_down, rate_limited, needs_reauth, blocked...), by provider kind',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  })

  constructor(options: { poolStats?: PoolStats; defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry })
    const poolStats = options.poolStats
    if (poolStats) {
      new Gauge({
        name: 'chatbase_db_pool_connections',
        help: 'PostgreSQL connection pool: total, idle, waiting (clients queued for a connection) and max',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const stats = poolStats()
          if (!stats) return
          for (const [state, value] of Object.entries(stats)) this.set({ state }, value)
        },
      })
    }
  }

  streamOpened(source: StreamSource): () => void {
    this.activeStreams.inc({ source })
    let closed = false
    return () => {
      if (closed) return
      closed = true
      this.activeStreams.dec({ source })
    }
  }

  upstreamCall(labels: UpstreamCallLabels, durationMs: number): void {
    this.upstreamCalls.inc(labels)
    this.upstreamDuration.observe(labels, durationMs / 1000)
  }

  timeToFirstToken(source: StreamSource, provider: string, model: string, ms: number): void {
    this.ttft.observe({ source, provider, model }, ms / 1000)
  }

  overhead(source: StreamSource, ms: number): void {
    this.overheadSeconds.observe({ source }, ms / 1000)
  }

  tokens(provider: string, model: string, direction: 'in' | 'out', count: number): void {
    if (count > 0) this.tokenCounter.inc({ provider, model, direction }, count)
  }

  quotaRejected(source: StreamSource, reason: string): void {
    this.quotaRejections.inc({ source, reason })
  }

  oauthRefresh(provider: string, outcome: OAuthRefreshOutcome): void {
    this.oauthRefreshes.inc({ provider, outcome })
  }

  accountStatusChanged(provider: string, status: string): void {
    this.accountStatusChanges.inc({ provider, status })
  }

  httpRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
    const values = { ...labels, status: String(labels.status) }
    this.httpRequests.inc(values)
    this.httpDuration.observe(values, seconds)
  }

  readonly contentType = this.registry.contentType

  render(): Promise<string> {
    return this.registry.metrics()
  }
}
