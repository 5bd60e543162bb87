import { token } from './di.ts'

export type StreamSource = 'chat' | 'relay'

export interface UpstreamCallLabels {
  provider: string
  model: string
  /** HTTP status of the upstream answer, 'network', or 'aborted'. */
  status: string
}

/**
 * What the core reports for operators (Prometheus in production, nothing in unit tests).
 * Labels must be low-cardinality: provider kinds and model ids, never user ids or keys.
 */
export interface Metrics {
  /** Call when a stream opens; call the returned function when it closes. */
  streamOpened(source: StreamSource): () => void
  upstreamCall(labels: UpstreamCallLabels, durationMs: number): void
  timeToFirstToken(source: StreamSource, provider: string, model: string, ms: number): void
  /** Time spent in our code rather than waiting on the provider. */
  overhead(source: StreamSource, ms: number): void
  tokens(provider: string, model: string, direction: 'in' | 'out', count: number): void
  quotaRejected(source: StreamSource, reason: string): void
  /** One OAuth token refresh of an upstream account, by provider kind and outcome. */
  oauthRefresh(provider: string, outcome: OAuthRefreshOutcome): void
  /** An upstream account changed status (cooling_down, rate_limited, needs_reauth, blocked...). */
  accountStatusChanged(provider: string, status: string): void
}
export type OAuthRefreshOutcome = 'refreshed' | 'invalid_grant' | 'failed'
export const Metrics = token<Metrics>('Metrics')

export const noMetrics: Metrics = {
  streamOpened: () => () => {},
  upstreamCall: () => {},
  timeToFirstToken: () => {},
  overhead: () => {},
  tokens: () => {},
  quotaRejected: () => {},
  oauthRefresh: () => {},
  accountStatusChanged: () => {},
}
