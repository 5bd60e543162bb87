import type { CallDeadline } from '../../shared/outbound/outbound-transport.port.ts'

export const DEFAULT_MAX_ATTEMPTS = 3

/**
 * What one client call may spend upstream, shared by every layer that retries or fails over
 * (RetryingAiProvider, runWithFailover, the relay's pass-through retries, OAuth token renewal):
 * at most `maxAttempts` upstream requests in total, and one total deadline (the transport's
 * UPSTREAM_TOTAL_TIMEOUT_MS, counted from the first request) over all of them.
 */
export class UpstreamBudget {
  private used = 0
  readonly deadline: CallDeadline = {}

  constructor(readonly maxAttempts = DEFAULT_MAX_ATTEMPTS) {}

  /** Counts one upstream request (postUpstream calls it for every request it sends). */
  take(): void {
    this.used++
  }

  get attempts(): number {
    return this.used
  }

  /** May another request be sent? */
  get left(): boolean {
    return this.used < this.maxAttempts
  }

  /** Would the deadline pass while waiting `ms` before the next attempt? */
  expiresWithin(ms: number, now = Date.now()): boolean {
    return this.deadline.at !== undefined && now + ms >= this.deadline.at
  }
}
