import { token } from '../../shared/di.ts'

export interface HeldLock {
  /** Strictly increasing per account across every replica: written with the refreshed tokens. */
  fence: number
  release(): Promise<void>
}

/**
 * At most one refresh per account at a time, across all replicas (Redis: SET NX PX with a fencing
 * counter; in-process otherwise). A holder that dies leaves the lock to expire after `ttlMs`.
 */
export interface RefreshLock {
  /** The lock, or null when someone else holds it. */
  tryAcquire(accountId: string, ttlMs: number): Promise<HeldLock | null>
  /** Resolves once the lock is free (or `timeoutMs` passed); callers then read the stored token again. */
  waitForRelease(accountId: string, timeoutMs: number): Promise<void>
}
export const RefreshLock = token<RefreshLock>('RefreshLock')
