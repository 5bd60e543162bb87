import type { Redis } from '../../../shared/infra/redis.ts'
import type { Admission, RegistrationLimiter } from '../registration-limiter.port.ts'

/** KEYS: the address's counter. ARGV: limit, window (ms). Returns 0 (admitted) or the window's remaining ms. */
const ADMIT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then return ttl end
  redis.call('DEL', KEYS[1])
end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

/** The same fixed window as InMemoryRegistrationLimiter, one atomic script per attempt, shared by every replica. */
export class RedisRegistrationLimiter implements RegistrationLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
    private readonly windowSeconds: number,
    private readonly prefix = 'chatbase:register:',
  ) {}

  async admit(address: string): Promise<Admission> {
    const waitMs = Number(await this.redis.eval(ADMIT, 1, `${this.prefix}${address}`, this.limit, this.windowSeconds * 1000))
    return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { allowed: true }
  }
}
