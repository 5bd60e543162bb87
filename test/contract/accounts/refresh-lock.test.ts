import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InProcessRefreshLock } from '../../../src/features/accounts/adapters/in-process-refresh-lock.ts'
import { RedisRefreshLock } from '../../../src/features/accounts/adapters/redis-refresh-lock.ts'
import { refreshLockContract } from '../../../src/features/accounts/testing/refresh-lock.contract.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

refreshLockContract('in-process', () => {
  const lock = new InProcessRefreshLock(new ManualClock())
  return [lock, lock]
})

describe('Redis', () => {
  let redis: TestRedis
  let first: Redis
  let second: Redis
  beforeAll(async () => {
    redis = await createTestRedis() // fails loudly, naming what to start, when no Redis answers
    first = await redis.open()
    second = await redis.open()
  })
  afterAll(() => redis?.cleanup())

  // Two connections, as two replicas would have.
  refreshLockContract('Redis', () => [new RedisRefreshLock(first), new RedisRefreshLock(second)])

  it('keeps fences above those stored before the counter was lost (Redis flushed)', async () => {
    const lock = new RedisRefreshLock(first)
    const before = Date.now()
    const held = await lock.tryAcquire('flushed', 10_000)
    await held!.release()
    expect(held!.fence).toBeGreaterThanOrEqual((before - 5_000) * 1000) // Redis's clock in microseconds
    await first.del('chatbase:oauth-refresh:fence:flushed')
    const again = await lock.tryAcquire('flushed', 10_000)
    expect(again!.fence).toBeGreaterThan(held!.fence)
    await again!.release()
  })

  it('leaves only expiring keys behind', async () => {
    const lock = new RedisRefreshLock(first)
    const held = await lock.tryAcquire('ttl', 10_000)
    await held!.release()
    const keys = await redis.keys()
    for (const key of keys) expect(await first.pttl(key.slice(redis.prefix.length))).toBeGreaterThan(0)
  })
})

describe('in-process', () => {
  it('keeps fences above the clock, so a restarted process does not go below stored fences', async () => {
    const clock = new ManualClock('2026-07-01T00:00:00.000Z')
    const held = await new InProcessRefreshLock(clock).tryAcquire('a', 1_000)
    await held!.release()
    expect(held!.fence).toBeGreaterThanOrEqual(clock.now().getTime())
  })
})
