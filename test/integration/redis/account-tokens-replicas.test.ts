// Two replicas' AccountTokens, each with its own Redis connection and RedisRefreshLock, one account
// store between them: an expired token is refreshed exactly once, and every caller gets the new token.
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisRefreshLock } from '../../../src/features/accounts/adapters/redis-refresh-lock.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'
import { FakeAccountRepository, FakeTokenClient, makeTokens, oauthAccount } from '../../unit/accounts/account-tokens.fixtures.ts'

describe('AccountTokens on two replicas (Redis refresh lock)', () => {
  let redis: TestRedis
  let connections: Redis[]
  beforeAll(async () => {
    redis = await createTestRedis() // fails loudly, naming what to start, when no Redis answers
    connections = [await redis.open(), await redis.open()]
  })
  afterAll(() => redis?.cleanup())

  function replicas() {
    const clock = new ManualClock(new Date())
    const repository = new FakeAccountRepository(clock)
    const client = new FakeTokenClient(clock)
    const log = createLogger('silent')
    const [a, b] = connections.map((connection) => makeTokens({ repository, lock: new RedisRefreshLock(connection), client, clock, log }))
    return { clock, repository, client, a: a!, b: b! }
  }

  it('refreshes an expired token exactly once for 100 concurrent callers split across them', async () => {
    const t = replicas()
    const account = t.repository.add(oauthAccount(t.clock, { tokenExpiresAt: new Date(t.clock.now().getTime() - 1000) }))
    t.client.accept(t.repository.secretsOf(account.id).refreshToken!)
    t.client.delayMs = 150
    const got = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? t.a : t.b).accessToken(account)))
    expect(t.client.calls).toHaveLength(1)
    expect(t.client.reuse).toBe(0)
    expect(new Set(got)).toEqual(new Set(['access-1-0123456789abcdef']))
    expect(t.repository.secretsOf(account.id).refreshToken).toBe('refresh-1-rotated-0123456789')
    expect((await t.repository.findById(account.id))!.refreshFence).toBeGreaterThan(0)
  })

  it('shares one refresh between rejecters on both replicas, round after round', async () => {
    const t = replicas()
    const account = t.repository.add(oauthAccount(t.clock))
    t.client.accept(t.repository.secretsOf(account.id).refreshToken!)
    t.client.delayMs = 60
    for (let round = 1; round <= 3; round++) {
      const before = (await t.repository.findById(account.id))!
      const rejected = t.repository.secretsOf(account.id).accessToken
      const got = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? t.a : t.b).accessToken(before, { rejected })))
      expect(new Set(got)).toEqual(new Set([`access-${round}-0123456789abcdef`]))
    }
    expect(t.client.calls).toHaveLength(3)
    expect(t.client.reuse).toBe(0)
  })
})
