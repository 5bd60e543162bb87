import { createHmac } from 'node:crypto'
import type { Redis } from '../../../shared/infra/redis.ts'
import { ATTEMPT_MEMORY_SECONDS } from '../login-throttle-policy.ts'
import type { LoginThrottle, Reservation, ThrottleKey } from '../login-throttle.port.ts'

/**
 * KEYS: per throttle key, its attempt counter then its wait key. ARGV: the counter's lifetime (ms),
 * then per key its allowance and cap (s). Returns 0 (granted) or the longest wait in ms (refused,
 * nothing counted). The backoff is login-throttle-policy.ts's backoffSeconds.
 */
const RESERVE = `
local n = #KEYS / 2
local wait = 0
for i = 1, n do
  local ttl = redis.call('PTTL', KEYS[2 * i])
  if ttl > wait then wait = ttl end
end
if wait > 0 then return wait end
for i = 1, n do
  local attempts = redis.call('INCR', KEYS[2 * i - 1])
  redis.call('PEXPIRE', KEYS[2 * i - 1], ARGV[1])
  local over = attempts - tonumber(ARGV[2 * i])
  if over >= 0 then
    local seconds = math.min(tonumber(ARGV[2 * i + 1]), 2 ^ math.min(over, 30))
    redis.call('SET', KEYS[2 * i], '1', 'PX', string.format('%d', seconds * 1000))
  end
end
return 0`

/** KEYS as for RESERVE; ARGV: per key its allowance. Gives one attempt back; below the allowance, no wait. */
const RELEASE = `
for i = 1, #KEYS / 2 do
  local attempts = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  if attempts > 0 then attempts = redis.call('DECR', KEYS[2 * i - 1]) end
  if attempts < tonumber(ARGV[i]) then redis.call('DEL', KEYS[2 * i]) end
end
return 0`

/**
 * The same policy as InMemoryLoginThrottle, shared by every replica: each method is one Lua script,
 * so a reservation checks and counts every key in one atomic step. Per key, `n:<id>` counts
 * attempts (expiring ATTEMPT_MEMORY_SECONDS after the last one) and `wait:<id>` exists while a
 * backoff runs (its TTL is the wait). Redis measures every duration, so replicas' clocks do not matter.
 */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly idKey: Buffer | undefined

  /**
   * With `secret`, key names carry an HMAC of the throttle id instead of the id: ids hold what was
   * typed as a username, and people type their password there. Redis keeps what is written to it
   * (on disk with persistence, in replicas and dumps), and no secret may rest there in plain text.
   */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'chatbase:login:',
    secret?: string,
  ) {
    this.idKey = secret === undefined ? undefined : createHmac('sha256', secret).update('chatbase/login-throttle-id/v1').digest()
  }

  async reserve(keys: readonly ThrottleKey[]): Promise<Reservation> {
    const rules = keys.flatMap((key) => [key.allowance, key.maxDelaySeconds])
    const waitMs = Number(await this.redis.eval(RESERVE, keys.length * 2, ...this.redisKeys(keys), ATTEMPT_MEMORY_SECONDS * 1000, ...rules))
    return waitMs > 0 ? { granted: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { granted: true }
  }

  async release(keys: readonly ThrottleKey[]): Promise<void> {
    if (keys.length) await this.redis.eval(RELEASE, keys.length * 2, ...this.redisKeys(keys), ...keys.map((key) => key.allowance))
  }

  async reset(keys: readonly ThrottleKey[]): Promise<void> {
    if (keys.length) await this.redis.del(...this.redisKeys(keys))
  }

  private redisKeys(keys: readonly ThrottleKey[]): string[] {
    return keys.flatMap((key) => {
      const id = this.idKey ? createHmac('sha256', this.idKey).update(key.id).digest('base64url') : key.id
      return [`${this.prefix}n:${id}`, `${this.prefix}wait:${id}`]
    })
  }
}
