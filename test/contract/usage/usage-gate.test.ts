import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InProcessUsageGate } from '../../../src/features/usage/adapters/in-process-usage-gate.ts'
import { RedisUsageGate } from '../../../src/features/usage/adapters/redis-usage-gate.ts'
import { EffectiveLimits } from '../../../src/features/usage/effective-limits.ts'
import { DEFAULT_GATE_OPTIONS } from '../../../src/features/usage/gate-options.ts'
import { InMemoryUsageLog, InMemoryUserLimitsStore, StaticSettings } from '../../../src/features/usage/testing/fakes.ts'
import { usageGateContract } from '../../../src/features/usage/testing/usage-gate.contract.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

usageGateContract('in-process', (d) => new InProcessUsageGate(d.limits, d.usage, d.usage, d.clock, d.ids, d.options))

describe('Redis', () => {
  let redis: TestRedis
  let client: Redis
  beforeAll(async () => {
    redis = await createTestRedis() // fails loudly, naming what to start, when no Redis answers
    client = await redis.open()
  })
  afterAll(() => redis?.cleanup())

  usageGateContract('Redis', (d) => new RedisUsageGate(client, d.limits, d.usage, d.usage, d.clock, d.ids, d.options, createLogger('silent')))
})

describe('Redis gate without Redis', () => {
  it('refuses with 503 (fail closed) instead of letting requests through unlimited', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null })
    const clock = new ManualClock()
    const usage = new InMemoryUsageLog()
    const limits = new EffectiveLimits(new InMemoryUserLimitsStore(), new StaticSettings(), clock)
    const gate = new RedisUsageGate(down, limits, usage, usage, clock, new SequentialIds(), DEFAULT_GATE_OPTIONS, createLogger('silent'))
    const request = { actor: { userId: 'u', username: 'u', role: 'USER' as const }, modelConfigId: 'm', source: 'chat' as const, estimatedInputTokens: 1, maxOutputTokens: 1 }
    await expect(gate.admit(request)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 5 })
    down.disconnect()
  })
})
