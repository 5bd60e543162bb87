import { token } from '../../shared/di.ts'

/**
 * Slows down password guessing, per account and per client address. Keys are opaque strings
 * such as `user:alice` and `ip:203.0.113.9`.
 */
export interface LoginThrottle {
  /** Seconds the caller must wait before trying again; 0 when a try is allowed now. */
  retryAfterSeconds(keys: string[]): Promise<number>
  recordFailure(keys: string[]): Promise<void>
  reset(key: string): Promise<void>
}
export const LoginThrottle = token<LoginThrottle>('LoginThrottle')
