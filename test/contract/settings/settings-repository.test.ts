import { afterAll, beforeAll, describe } from 'vitest'
import { PrismaSettingsRepository } from '../../../src/features/settings/adapters/prisma-settings.repository.ts'
import { InMemorySettingsRepository } from '../../../src/features/settings/testing/in-memory-settings.repository.ts'
import { settingsRepositoryContract } from '../../../src/features/settings/testing/settings-repository.contract.ts'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { createTestDatabase } from '../../support/test-database.ts'

settingsRepositoryContract('in-memory fake', async () => ({ repo: new InMemorySettingsRepository(), addUser: async () => {} }))

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())

    settingsRepositoryContract(`Prisma on ${kind}`, async () => {
      await db.client.userSetting.deleteMany()
      await db.client.systemSetting.deleteMany()
      await db.client.user.deleteMany()
      return {
        repo: new PrismaSettingsRepository(db),
        addUser: async (id) => void (await db.client.user.create({ data: { id, username: id, passwordHash: 'x' } })),
      }
    })
  })
}
