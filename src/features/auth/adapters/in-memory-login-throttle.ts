import type { Clock } from '../../../shared/clock.port.ts'
import { systemClock } from '../../../shared/infra/uuid-v7.ts'
import { ATTEMPT_MEMORY_SECONDS, backoffSeconds } from '../login-throttle-policy.ts'
import type { LoginThrottle, Reservation, ThrottleKey } from '../login-throttle.port.ts'

interface Entry {
  attempts: number
  waitUntil: number
  lastAttemptAt: number
}

/**
 * Single-process throttle. Each method runs without an await in between, so concurrent logins in
 * this process reserve one after the other. RedisLoginThrottle shares the counts across replicas.
 */
export class InMemoryLoginThrottle implements LoginThrottle {
  private readonly entries = new Map<string, Entry>()

  constructor(private readonly clock: Clock = systemClock) {}

  async reserve(keys: readonly ThrottleKey[]): Promise<Reservation> {
    const now = this.clock.now().getTime()
    const waitMs = Math.max(0, ...keys.map((key) => (this.live(key.id, now)?.waitUntil ?? 0) - now))
    if (waitMs > 0) return { granted: false, retryAfterSeconds: Math.ceil(waitMs / 1000) }
    for (const key of keys) {
      const attempts = (this.live(key.id, now)?.attempts ?? 0) + 1
      this.entries.set(key.id, { attempts, waitUntil: now + backoffSeconds(attempts, key) * 1000, lastAttemptAt: now })
    }
    if (this.entries.size > 100_000) this.sweep(now)
    return { granted: true }
  }

  async release(keys: readonly ThrottleKey[]): Promise<void> {
    const now = this.clock.now().getTime()
    for (const key of keys) {
      const entry = this.live(key.id, now)
      if (!entry) continue
      entry.attempts = Math.max(0, entry.attempts - 1)
      if (entry.attempts < key.allowance) entry.waitUntil = 0
    }
  }

  async reset(keys: readonly ThrottleKey[]): Promise<void> {
    for (const key of keys) this.entries.delete(key.id)
  }

  private live(id: string, now: number): Entry | undefined {
    const entry = this.entries.get(id)
    if (entry && now - entry.lastAttemptAt > ATTEMPT_MEMORY_SECONDS * 1000 && now >= entry.waitUntil) {
      this.entries.delete(id)
      return undefined
    }
    return entry
  }

  private sweep(now: number) {
    for (const id of this.entries.keys()) this.live(id, now)
  }
}
