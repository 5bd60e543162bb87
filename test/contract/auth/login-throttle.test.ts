import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InMemoryLoginThrottle } from '../../../src/features/auth/adapters/in-memory-login-throttle.ts'
import { RedisLoginThrottle } from '../../../src/features/auth/adapters/redis-login-throttle.ts'
import { ATTEMPT_MEMORY_SECONDS } from '../../../src/features/auth/login-throttle-policy.ts'
import { loginThrottleContract } from '../../../src/features/auth/testing/login-throttle.contract.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

loginThrottleContract('in-memory', () => {
  const clock = new ManualClock()
  const throttle = new InMemoryLoginThrottle(clock)
  return { replicas: [throttle, throttle], elapse: async (ms) => clock.advance(ms) }
})

describe('in-memory', () => {
  it('forgets a count ATTEMPT_MEMORY_SECONDS after the last attempt', async () => {
    const clock = new ManualClock()
    const throttle = new InMemoryLoginThrottle(clock)
    const k = { id: 'forgotten', allowance: 2, maxDelaySeconds: 900 }
    await throttle.reserve([k])
    clock.advance(ATTEMPT_MEMORY_SECONDS * 1000 - 1)
    await throttle.reserve([k])
    expect((await throttle.reserve([k])).granted).toBe(false)
    clock.advance(ATTEMPT_MEMORY_SECONDS * 1000 + 1)
    expect((await throttle.reserve([k])).granted).toBe(true)
  })
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

  // Two connections, as two replicas would have; Redis measures the waits, so time really passes.
  loginThrottleContract('Redis', () => ({ replicas: [new RedisLoginThrottle(first), new RedisLoginThrottle(second)], elapse: (ms) => sleep(ms) }))

  it('doubles the wait up to the rule cap, and keeps counts ATTEMPT_MEMORY_SECONDS', async () => {
    const throttle = new RedisLoginThrottle(first)
    const k = { id: 'capped', allowance: 1, maxDelaySeconds: 3 }
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      expect((await throttle.reserve([k])).granted).toBe(true)
      waits.push(await first.pttl('chatbase:login:wait:capped'))
      await first.del('chatbase:login:wait:capped') // skip the wait instead of sitting it out
    }
    expect(waits.map((ms) => Math.ceil(ms / 1000))).toEqual([1, 2, 3, 3])
    const ttl = await first.pttl('chatbase:login:n:capped')
    expect(ttl).toBeGreaterThan((ATTEMPT_MEMORY_SECONDS - 5) * 1000)
    expect(ttl).toBeLessThanOrEqual(ATTEMPT_MEMORY_SECONDS * 1000)
    expect(await redis.keys()).toContain(`${redis.prefix}chatbase:login:n:capped`)
  })

  it('with a secret, key names carry a keyed hash of the id, never the id (a password typed as the username)', async () => {
    const typed = 'my password typed as a username'
    const throttle = new RedisLoginThrottle(first, 'chatbase:login:', 'a JWT secret of at least 32 characters')
    const k = { id: `user:${typed}`, allowance: 1, maxDelaySeconds: 3 }
    const before = new Set(await redis.keys())
    expect((await throttle.reserve([k])).granted).toBe(true) // uses up the allowance: a wait starts
    expect((await throttle.reserve([k])).granted).toBe(false) // and holds, under the hashed name
    const added = (await redis.keys()).filter((name) => !before.has(name)).map((name) => name.slice(redis.prefix.length))
    expect(added.sort()).toEqual([expect.stringMatching(/^chatbase:login:n:[\w-]{43}$/), expect.stringMatching(/^chatbase:login:wait:[\w-]{43}$/)])
    expect(added.some((name) => name.includes(typed))).toBe(false)
    await throttle.reset([k])
    expect((await throttle.reserve([k])).granted).toBe(true) // reset found the same hashed names
  })
})
