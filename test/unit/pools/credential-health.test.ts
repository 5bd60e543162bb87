import { afterAll, beforeAll } from 'vitest'
import { InProcessCredentialHealth } from '../../../src/features/models/adapters/in-process-credential-health.ts'
import { RedisCredentialHealth } from '../../../src/features/models/adapters/redis-credential-health.ts'
import { credentialHealthContract } from '../../../src/features/models/testing/credential-health.contract.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

// The Redis half needs a Redis, like test/integration/redis (Docker, or TEST_REDIS_URL / 127.0.0.1:6379).
credentialHealthContract('in-process', async (clock) => new InProcessCredentialHealth(clock), () => new ManualClock())

let redis: TestRedis
let connection: Redis
let n = 0
beforeAll(async () => {
  redis = await createTestRedis()
  connection = await redis.open()
})
afterAll(() => redis?.cleanup())
// Real time: Redis expires the keys by PX on its own clock. One key prefix per case keeps them apart.
credentialHealthContract('Redis', async (clock) => new RedisCredentialHealth(connection, clock, `pool-test-${++n}:`), () => new ManualClock(new Date()))
