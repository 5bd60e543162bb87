import { PrismaSettingsRepository } from '../../../src/features/settings/adapters/prisma-settings.repository.ts'
import { InMemorySettingsRepository } from '../../../src/features/settings/testing/in-memory-settings.repository.ts'
import { settingsRepositoryContract } from '../../../src/features/settings/testing/settings-repository.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

settingsRepositoryContract('in-memory fake', async () => ({ repo: new InMemorySettingsRepository(), addUser: async () => {} }))

onEachDatabase((db, kind) =>
  settingsRepositoryContract(`Prisma on ${kind}`, async () => {
    await db().client.userSetting.deleteMany()
    await db().client.systemSetting.deleteMany()
    await db().client.user.deleteMany()
    return {
      repo: new PrismaSettingsRepository(db()),
      addUser: async (id) => void (await db().client.user.create({ data: { id, username: id, passwordHash: 'x' } })),
    }
  }),
)
