import type { Clock } from '../../../shared/clock.port.ts'
import type { CooldownState, CredentialHealth } from '../credential-health.port.ts'

/** One replica's cooldowns, in memory (lost on restart; the persisted row still covers pooled credentials). */
export class InProcessCredentialHealth implements CredentialHealth {
  private readonly cooldowns = new Map<string, CooldownState>()

  constructor(private readonly clock: Clock) {}

  async coolDown(key: string, untilMs: number, status: number): Promise<void> {
    const current = this.live(key)
    if (current && current.cooldownUntilMs >= untilMs) return
    this.cooldowns.set(key, { cooldownUntilMs: untilMs, lastStatus: status })
  }

  async clear(key: string): Promise<void> {
    this.cooldowns.delete(key)
  }

  async states(keys: readonly string[]): Promise<Map<string, CooldownState>> {
    const found = new Map<string, CooldownState>()
    for (const key of keys) {
      const state = this.live(key)
      if (state) found.set(key, { ...state })
    }
    return found
  }

  /** The key's cooldown if it has not ended; an ended one is forgotten. */
  private live(key: string): CooldownState | undefined {
    const state = this.cooldowns.get(key)
    if (state && state.cooldownUntilMs <= this.clock.now().getTime()) {
      this.cooldowns.delete(key)
      return undefined
    }
    return state
  }
}
