import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InMemoryRegistrationLimiter } from '../../../src/features/auth/adapters/in-memory-registration-limiter.ts'
import { RedisRegistrationLimiter } from '../../../src/features/auth/adapters/redis-registration-limiter.ts'
import type { RegistrationLimiter } from '../../../src/features/auth/registration-limiter.port.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

/** limit 2 per 1 s window; `replicas` share one count. */
function registrationLimiterContract(name: string, make: () => { replicas: [RegistrationLimiter, RegistrationLimiter]; elapse(ms: number): Promise<void> }) {
  describe(`RegistrationLimiter: ${name}`, () => {
    it('admits the limit per address per window, in parallel too, then tells how long to wait', async () => {
      const { replicas: [a, b], elapse } = make()
      const address = `198.51.100.${Math.floor(Math.random() * 250)}-${name}`
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).admit(address)))
      expect(results.filter((r) => r.allowed)).toHaveLength(2)
      expect(results.find((r) => !r.allowed)).toEqual({ allowed: false, retryAfterSeconds: 1 })
      expect((await a.admit(`${address}-other`)).allowed).toBe(true)
      await elapse(1100)
      expect((await b.admit(address)).allowed).toBe(true)
    })
  })
}

registrationLimiterContract('in-memory', () => {
  const clock = new ManualClock()
  const limiter = new InMemoryRegistrationLimiter(2, 1, clock)
  return { replicas: [limiter, limiter], elapse: async (ms) => clock.advance(ms) }
})

describe('Redis', () => {
  let redis: TestRedis
  let first: Redis
  let second: Redis
  beforeAll(async () => {
    redis = await createTestRedis()
    first = await redis.open()
    second = await redis.open()
  })
  afterAll(() => redis?.cleanup())

  registrationLimiterContract('Redis', () => ({
    replicas: [new RedisRegistrationLimiter(first, 2, 1), new RedisRegistrationLimiter(second, 2, 1)],
    elapse: (ms) => sleep(ms),
  }))

  it('leaves only expiring keys', async () => {
    await new RedisRegistrationLimiter(first, 10, 3600).admit('203.0.113.99')
    const ttl = await first.pttl('chatbase:register:203.0.113.99')
    expect(ttl).toBeGreaterThan(3590_000)
    expect(ttl).toBeLessThanOrEqual(3600_000)
  })
})
