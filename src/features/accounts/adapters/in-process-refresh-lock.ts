import { inject, injectable } from 'tsyringe'
import { Clock } from '../../../shared/clock.port.ts'
import type { HeldLock, RefreshLock } from '../refresh-lock.port.ts'

interface Holder {
  fence: number
  expiry: NodeJS.Timeout
}

/**
 * The refresh lock of a single process. Fences are at least the current time in milliseconds, so
 * they stay above every fence stored before a restart (the repository refuses a lower one).
 */
@injectable()
export class InProcessRefreshLock implements RefreshLock {
  private readonly holders = new Map<string, Holder>()
  private readonly lastFence = new Map<string, number>()
  private readonly waiters = new Map<string, Set<() => void>>()

  constructor(@inject(Clock) private readonly clock: Clock) {}

  async tryAcquire(accountId: string, ttlMs: number): Promise<HeldLock | null> {
    if (this.holders.has(accountId)) return null
    const fence = Math.max((this.lastFence.get(accountId) ?? 0) + 1, this.clock.now().getTime())
    this.lastFence.set(accountId, fence)
    const expiry = setTimeout(() => this.free(accountId, fence), ttlMs).unref()
    this.holders.set(accountId, { fence, expiry })
    return { fence, release: async () => this.free(accountId, fence) }
  }

  waitForRelease(accountId: string, timeoutMs: number): Promise<void> {
    if (!this.holders.has(accountId)) return Promise.resolve()
    return new Promise((resolve) => {
      const waiting = this.waiters.get(accountId) ?? new Set()
      this.waiters.set(accountId, waiting)
      const done = () => {
        clearTimeout(timer)
        waiting.delete(done)
        if (!waiting.size && this.waiters.get(accountId) === waiting) this.waiters.delete(accountId)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      waiting.add(done)
    })
  }

  /** Only the holder of `fence` frees the lock: a late release after expiry leaves the next holder alone. */
  private free(accountId: string, fence: number): void {
    const holder = this.holders.get(accountId)
    if (holder?.fence !== fence) return
    clearTimeout(holder.expiry)
    this.holders.delete(accountId)
    for (const wake of [...(this.waiters.get(accountId) ?? [])]) wake()
  }
}
