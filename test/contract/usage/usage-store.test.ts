import { PrismaUsageRecorder } from '../../../src/features/usage/adapters/prisma-usage-recorder.ts'
import { PrismaUsageStats } from '../../../src/features/usage/adapters/prisma-usage-stats.ts'
import { PrismaUsageTotals } from '../../../src/features/usage/adapters/prisma-usage-totals.ts'
import { PrismaUserLimitsStore } from '../../../src/features/usage/adapters/prisma-user-limits.store.ts'
import { InMemoryUsageLog, InMemoryUserLimitsStore } from '../../../src/features/usage/testing/fakes.ts'
import { usageStoreContract } from '../../../src/features/usage/testing/usage-store.contract.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { SequentialIds } from '../../../src/shared/testing/fakes.ts'
import { onEachDatabase } from '../../support/test-database.ts'

let n = 0

usageStoreContract('in-memory fakes', async () => {
  const log = new InMemoryUsageLog()
  const limits = new InMemoryUserLimitsStore()
  return {
    recorder: log,
    totals: log,
    stats: log,
    limits,
    createUser: async (username) => {
      const id = `user-${++n}`
      limits.addUser(id)
      log.usernames.set(id, username)
      return id
    },
    createKey: async (_owner, name) => {
      const id = `key-${++n}`
      log.keyNames.set(id, name)
      return id
    },
  }
})

onEachDatabase((db, kind) =>
  usageStoreContract(`Prisma on ${kind}`, async () => {
    await db().client.user.deleteMany()
    return {
      recorder: new PrismaUsageRecorder(db(), new SequentialIds(`rec-${++n}`), createLogger('silent')),
      totals: new PrismaUsageTotals(db()),
      stats: new PrismaUsageStats(db()),
      limits: new PrismaUserLimitsStore(db()),
      createUser: async (username) => {
        const id = `user-${++n}`
        await db().client.user.create({ data: { id, username, passwordHash: 'x' } })
        return id
      },
      createKey: async (ownerId, name) => {
        const id = `key-${++n}`
        await db().client.apiKey.create({ data: { id, ownerId, name, prefix: 'abcd1234', hash: `hash-${id}` } })
        return id
      },
      damageLimits: async (id) => void (await db().client.user.update({ where: { id }, data: { limits: '{not json' } })),
    }
  }),
)
