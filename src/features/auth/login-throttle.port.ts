import { token } from '../../shared/di.ts'

export interface ThrottleRule {
  /** Attempts allowed before backoff starts. */
  allowance: number
  /** The longest wait the backoff reaches. */
  maxDelaySeconds: number
}
/** An opaque id such as `addr:203.0.113.9`, with the rule that applies to it. */
export interface ThrottleKey extends ThrottleRule {
  id: string
}

export type Reservation = { granted: true } | { granted: false; retryAfterSeconds: number }

/**
 * Slows down password guessing (login-throttle-policy.ts). Every method is one atomic step, also
 * across replicas, so concurrent attempts are counted exactly.
 */
export interface LoginThrottle {
  /**
   * When no key is waiting out a backoff, counts one attempt against every key (which may start
   * a backoff for the next one) and grants it; otherwise grants nothing and counts nothing.
   */
  reserve(keys: readonly ThrottleKey[]): Promise<Reservation>
  /** A granted attempt that was not a wrong guess (it succeeded, or failed for another reason) stops counting. */
  release(keys: readonly ThrottleKey[]): Promise<void>
  /** Forgets these keys' attempts and backoff. */
  reset(keys: readonly ThrottleKey[]): Promise<void>
}
export const LoginThrottle = token<LoginThrottle>('LoginThrottle')
