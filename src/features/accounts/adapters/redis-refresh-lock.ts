import { setTimeout as sleep } from 'node:timers/promises'
import { inject, injectable } from 'tsyringe'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import type { HeldLock, RefreshLock } from '../refresh-lock.port.ts'

/**
 * KEYS: fence counter, lock. ARGV: lock ttl ms, counter ttl ms. Returns the fence, or 0 when held.
 * The fence is at least Redis's clock in microseconds, so a flushed or expired counter still hands
 * out fences above every one already stored (the repository refuses a lower one), even when the
 * counter was lost within the millisecond of the last fence. (1.8e15 today: exact in a double.)
 */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local fence = redis.call('INCR', KEYS[1])
if fence < now then
  fence = now
  redis.call('SET', KEYS[1], string.format('%d', fence))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], string.format('%d', fence), 'PX', ARGV[1])
return fence`

/** Deletes the lock only while it still carries the caller's fence. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

const COUNTER_TTL_MS = 24 * 3600_000

/**
 * The refresh lock shared by every replica: `lock:<id>` holds the holder's fence and expires after
 * the ttl, so a holder that died frees it by itself. Waiters poll (one poller per account and
 * process: AccountTokens shares one refresh per account in a process), which keeps the lock free of
 * a subscriber connection.
 */
@injectable()
export class RedisRefreshLock implements RefreshLock {
  pollIntervalMs = 25
  private readonly prefix = 'chatbase:oauth-refresh:'

  constructor(@inject(RedisClient) private readonly redis: Redis) {}

  async tryAcquire(accountId: string, ttlMs: number): Promise<HeldLock | null> {
    const lockKey = this.lockKey(accountId)
    const fence = Number(await this.redis.eval(ACQUIRE, 2, `${this.prefix}fence:${accountId}`, lockKey, Math.ceil(ttlMs), COUNTER_TTL_MS))
    if (!fence) return null
    return {
      fence,
      release: async () => {
        await this.redis.eval(RELEASE, 1, lockKey, String(fence))
      },
    }
  }

  async waitForRelease(accountId: string, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      if (!(await this.redis.exists(this.lockKey(accountId)))) return
      const left = deadline - performance.now()
      if (left <= 0) return
      await sleep(Math.min(this.pollIntervalMs, left))
    }
  }

  private lockKey(accountId: string): string {
    return `${this.prefix}lock:${accountId}`
  }
}
