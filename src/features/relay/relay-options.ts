import { token } from '../../shared/di.ts'
import type { RetryOptions } from '../providers/retrying-ai-provider.ts'
import { DEFAULT_MAX_ATTEMPTS } from '../providers/upstream-budget.ts'

export interface RelayOptions {
  /**
   * A stream's response starts (200, headers sent) as soon as the provider answers, or after this
   * long without an answer so that heartbeats can keep proxies from cutting the connection.
   * A failure after that is reported inside the stream.
   */
  commitAfterMs: number
  /** Heartbeat while a stream waits (OpenAI `: keepalive`, Anthropic `event: ping`). */
  heartbeatMs: number
  /** Pass-through retries before the first byte: the same policy as RetryingAiProvider (chat). */
  retry: RetryOptions
  /**
   * Upstream requests one client call may make in total, over retries and every account of the
   * pool (RELAY_MAX_ATTEMPTS). Once spent, the answer says `x-should-retry: false`.
   */
  maxAttempts: number
  /**
   * How long the list of models a user may use is reused between requests (saves a query each).
   * Safe to cache: the chosen model's access, enabled flag and key are checked on every request
   * (through the models slice's cache, which every change invalidates).
   */
  modelListCacheMs: number
}
export const RelayOptions = token<RelayOptions>('RelayOptions')

export const DEFAULT_RELAY_OPTIONS: RelayOptions = { commitAfterMs: 10_000, heartbeatMs: 15_000, retry: {}, maxAttempts: DEFAULT_MAX_ATTEMPTS, modelListCacheMs: 2_000 }
