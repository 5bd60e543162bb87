import { FAILURE_MEMORY_SECONDS, freeFailuresFor, lockSeconds } from '../auth-policy.ts'
import type { LoginThrottle } from '../login-throttle.port.ts'

interface Entry {
  failures: number
  lockedUntil: number
  lastFailureAt: number
}

/** Single-instance throttle. A Redis implementation shares the counts across replicas. */
export class InMemoryLoginThrottle implements LoginThrottle {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly now: () => number = Date.now) {}

  async retryAfterSeconds(keys: string[]): Promise<number> {
    const now = this.now()
    const waits = keys.map((key) => {
      const entry = this.live(key, now)
      return entry ? Math.ceil(Math.max(0, entry.lockedUntil - now) / 1000) : 0
    })
    return Math.max(0, ...waits)
  }

  async recordFailure(keys: string[]): Promise<void> {
    const now = this.now()
    for (const key of keys) {
      const failures = (this.live(key, now)?.failures ?? 0) + 1
      const lockedUntil = now + lockSeconds(failures, freeFailuresFor(key)) * 1000
      this.entries.set(key, { failures, lockedUntil, lastFailureAt: now })
    }
    if (this.entries.size > 100_000) this.sweep(now)
  }

  async reset(key: string): Promise<void> {
    this.entries.delete(key)
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && now - entry.lastFailureAt > FAILURE_MEMORY_SECONDS * 1000 && now >= entry.lockedUntil) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  private sweep(now: number) {
    for (const key of this.entries.keys()) this.live(key, now)
  }
}
