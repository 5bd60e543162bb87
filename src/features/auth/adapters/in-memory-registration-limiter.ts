import type { Clock } from '../../../shared/clock.port.ts'
import type { Admission, RegistrationLimiter } from '../registration-limiter.port.ts'

/** A fixed window per address, in this process only (RedisRegistrationLimiter shares it across replicas). */
export class InMemoryRegistrationLimiter implements RegistrationLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>()

  constructor(
    private readonly limit: number,
    private readonly windowSeconds: number,
    private readonly clock: Clock,
  ) {}

  async admit(address: string): Promise<Admission> {
    const now = this.clock.now().getTime()
    let window = this.windows.get(address)
    if (!window || now >= window.endsAt) {
      if (this.windows.size > 100_000) this.sweep(now)
      window = { count: 0, endsAt: now + this.windowSeconds * 1000 }
      this.windows.set(address, window)
    }
    if (window.count >= this.limit) return { allowed: false, retryAfterSeconds: Math.ceil((window.endsAt - now) / 1000) }
    window.count++
    return { allowed: true }
  }

  private sweep(now: number) {
    for (const [address, window] of this.windows) if (now >= window.endsAt) this.windows.delete(address)
  }
}
