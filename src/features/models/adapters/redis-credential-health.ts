import type { Clock } from '../../../shared/clock.port.ts'
import type { Redis } from '../../../shared/infra/redis.ts'
import type { CooldownState, CredentialHealth } from '../credential-health.port.ts'

/** Sets `<until>:<status>` with a PX TTL unless a cooldown ending later is already there. */
const LENGTHEN = `
local current = redis.call('GET', KEYS[1])
if current then
  local ends = tonumber(string.match(current, '^(%d+):'))
  if ends and ends >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2], 'PX', ARGV[3])
return 1`

/**
 * Cooldowns shared by every replica: one Redis key per health key, `<untilMs>:<status>`, expiring
 * with the cooldown (PX), so a ready key costs nothing and nothing needs cleaning up.
 */
export class RedisCredentialHealth implements CredentialHealth {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'chatbase:credential-cooldown:',
  ) {}

  async coolDown(key: string, untilMs: number, status: number): Promise<void> {
    const ttlMs = Math.ceil(untilMs - this.clock.now().getTime())
    if (ttlMs <= 0) return
    await this.redis.eval(LENGTHEN, 1, this.prefix + key, Math.round(untilMs), Math.trunc(status), ttlMs)
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key)
  }

  async states(keys: readonly string[]): Promise<Map<string, CooldownState>> {
    const found = new Map<string, CooldownState>()
    if (!keys.length) return found
    const values = await this.redis.mget(...keys.map((k) => this.prefix + k))
    const now = this.clock.now().getTime()
    keys.forEach((key, i) => {
      const match = /^(\d+):(-?\d+)$/.exec(values[i] ?? '')
      if (!match) return
      const cooldownUntilMs = Number(match[1])
      if (cooldownUntilMs > now) found.set(key, { cooldownUntilMs, lastStatus: Number(match[2]) })
    })
    return found
  }
}
