import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InMemoryLoginThrottle } from '../../../src/features/auth/adapters/in-memory-login-throttle.ts'
import { RedisLoginThrottle } from '../../../src/features/auth/adapters/redis-login-throttle.ts'
import { FAILURE_MEMORY_SECONDS, FREE_FAILURES, freeFailuresFor, lockSeconds, MAX_LOCK_SECONDS } from '../../../src/features/auth/auth-policy.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'
import { startReplicas, type Replica } from './replicas.ts'

describe('RedisLoginThrottle on a real Redis', () => {
  let redis: TestRedis
  let first: Redis
  let second: Redis

  beforeAll(async () => {
    redis = await createTestRedis()
    ;[first, second] = [await redis.open(), await redis.open()]
  })
  afterAll(() => redis?.cleanup())

  it.each(['user:alice', 'ip:203.0.113.9'])('decides like the in-memory throttle, failure after failure (%s)', async (key) => {
    const memory = new InMemoryLoginThrottle(() => 1_000_000)
    const shared = new RedisLoginThrottle(first)
    const waits: [number, number][] = []
    const tries = FREE_FAILURES.address + 4
    for (let n = 1; n <= tries; n++) {
      await Promise.all([memory.recordFailure([key]), shared.recordFailure([key])])
      waits.push([await shared.retryAfterSeconds([key]), await memory.retryAfterSeconds([key])])
    }
    for (const [redisWait, memoryWait] of waits) expect(redisWait).toBe(memoryWait)
    expect(waits.at(-1)![0]).toBe(lockSeconds(tries, freeFailuresFor(key))) // 900 for an account, 8 for an address
    expect(waits.some(([wait]) => wait === 0) && waits.some(([wait]) => wait > 0)).toBe(true)
  })

  it('takes the longest wait over all keys, and reset forgets a key', async () => {
    const throttle = new RedisLoginThrottle(first)
    for (let n = 0; n < FREE_FAILURES.account + 2; n++) await throttle.recordFailure(['user:carol', 'ip:198.51.100.1'])
    expect(await throttle.retryAfterSeconds(['user:carol', 'ip:198.51.100.1'])).toBe(2)
    expect(await throttle.retryAfterSeconds(['ip:198.51.100.1'])).toBe(0)
    await throttle.reset('user:carol')
    expect(await throttle.retryAfterSeconds(['user:carol'])).toBe(0)
    await throttle.recordFailure(['user:carol'])
    expect(await throttle.retryAfterSeconds(['user:carol'])).toBe(0) // counting starts again
  })

  it('prefixes its keys and forgets failures FAILURE_MEMORY_SECONDS after the last one', async () => {
    await new RedisLoginThrottle(first).recordFailure(['user:dave'])
    const key = 'chatbase:login:fail:user:dave'
    expect(await redis.keys()).toContain(`${redis.prefix}${key}`)
    const ttl = await first.pttl(key)
    expect(ttl).toBeGreaterThan((FAILURE_MEMORY_SECONDS - 5) * 1000)
    expect(ttl).toBeLessThanOrEqual(FAILURE_MEMORY_SECONDS * 1000)
  })

  it('counts concurrent failures from two replicas exactly, and never shortens a lock', async () => {
    const [a, b] = [new RedisLoginThrottle(first), new RedisLoginThrottle(second)]
    const failures = 24
    await Promise.all(Array.from({ length: failures }, (_, i) => (i % 2 ? a : b).recordFailure(['user:erin'])))
    expect(await first.get('chatbase:login:fail:user:erin')).toBe(String(failures))
    // Whatever order the locks landed in, the longest one (failure 24) stands.
    expect(await b.retryAfterSeconds(['user:erin'])).toBe(MAX_LOCK_SECONDS)
  })
})

describe('failed logins on one replica lock the account on the other', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica

  beforeAll(async () => {
    cluster = await startReplicas(2)
    ;[a, b] = cluster.replicas as [Replica, Replica]
  })
  afterAll(() => cluster?.close())

  it('shares the count, the lock and its expiry', async () => {
    const password = 'frank password 1'
    expect((await a.request('POST', '/api/auth/register', { body: { username: 'frank', password } })).status).toBe(201)
    const attempt = (on: Replica, pass: string) => on.request('POST', '/api/auth/login', { body: { username: 'frank', password: pass } })

    for (let n = 0; n < FREE_FAILURES.account + 1; n++) expect((await attempt(n % 2 ? b : a, 'wrong password')).status).toBe(401)
    // Six failures, three on each replica: one more than allowed locks the account for 1 s everywhere.
    for (const on of [b, a]) {
      const locked = await attempt(on, password)
      expect(locked.status, on.name).toBe(429)
      expect(locked.headers.get('retry-after')).toBe('1')
      expect(locked.body.error.code).toBe('RATE_LIMITED')
    }
    await new Promise((r) => setTimeout(r, 1100))
    expect((await attempt(b, password)).status).toBe(200)
  })
})
