import { token } from '../../shared/di.ts'

/** Authentication settings from the environment, handed to the auth use cases by the composition root. */
export interface AuthPolicy {
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  /**
   * A refresh token presented again this soon after it was rotated gets the same successor (two
   * tabs refreshing at once); later, the reuse revokes its family. 0: every reuse revokes.
   */
  refreshReuseGraceSeconds: number
  firstUserIsAdmin: boolean
  adminUsername?: string
  adminPassword?: string
}
export const AuthPolicy = token<AuthPolicy>('AuthPolicy')

/** Failed logins allowed per key before each further failure locks the key for a growing time. */
export const FREE_FAILURES = { account: 5, address: 20 }
export const MAX_LOCK_SECONDS = 15 * 60
/** A key's failure count is forgotten after this long without failures. */
export const FAILURE_MEMORY_SECONDS = 30 * 60

/** Exponential backoff: 1 s after the first failure over the allowance, doubling, capped at 15 min. */
export function lockSeconds(failures: number, freeFailures: number): number {
  const over = failures - freeFailures
  if (over <= 0) return 0
  return Math.min(MAX_LOCK_SECONDS, 2 ** (over - 1))
}

export const freeFailuresFor = (key: string): number => (key.startsWith('ip:') ? FREE_FAILURES.address : FREE_FAILURES.account)
