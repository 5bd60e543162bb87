import type { Redis } from '../../../shared/infra/redis.ts'
import { FAILURE_MEMORY_SECONDS, freeFailuresFor, lockSeconds } from '../auth-policy.ts'
import type { LoginThrottle } from '../login-throttle.port.ts'

/** Lengthens a lock, never shortens it: two replicas recording failures at once keep the longer one. */
const EXTEND_LOCK = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  return redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return false`

/**
 * The same policy as InMemoryLoginThrottle (auth-policy.ts), shared by every replica. Per key, two
 * Redis keys: `fail:<key>` counts failures and expires FAILURE_MEMORY_SECONDS after the last one
 * (INCR and PEXPIRE in one MULTI), and `lock:<key>` exists while the key is locked (its TTL is the
 * wait). Redis measures every duration, so replicas with slightly different clocks agree.
 */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'chatbase:login:',
  ) {}

  async retryAfterSeconds(keys: string[]): Promise<number> {
    const pipeline = this.redis.pipeline()
    for (const key of keys) pipeline.pttl(this.lockKey(key))
    const ttls = (await pipeline.exec()) ?? []
    const waits = ttls.map(([err, ms]) => {
      if (err) throw err
      return typeof ms === 'number' && ms > 0 ? Math.ceil(ms / 1000) : 0
    })
    return Math.max(0, ...waits)
  }

  async recordFailure(keys: string[]): Promise<void> {
    const counts = await Promise.all(keys.map((key) => this.countFailure(key)))
    await Promise.all(
      keys.map((key, i) => {
        const lockMs = lockSeconds(counts[i]!, freeFailuresFor(key)) * 1000
        return lockMs > 0 ? this.redis.eval(EXTEND_LOCK, 1, this.lockKey(key), lockMs) : undefined
      }),
    )
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.failKey(key), this.lockKey(key))
  }

  private async countFailure(key: string): Promise<number> {
    const results = await this.redis
      .multi()
      .incr(this.failKey(key))
      .pexpire(this.failKey(key), FAILURE_MEMORY_SECONDS * 1000)
      .exec()
    const [err, failures] = results?.[0] ?? [new Error('the login failure transaction was discarded')]
    if (err) throw err
    return Number(failures)
  }

  private failKey = (key: string) => `${this.prefix}fail:${key}`
  private lockKey = (key: string) => `${this.prefix}lock:${key}`
}
