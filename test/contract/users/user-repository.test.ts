import { afterAll, beforeAll, describe } from 'vitest'
import { PrismaUserRepository } from '../../../src/features/users/adapters/prisma-user.repository.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { userRepositoryContract } from '../../../src/features/users/testing/user-repository.contract.ts'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { createTestDatabase } from '../../support/test-database.ts'

userRepositoryContract('in-memory fake', async () => ({ repo: new InMemoryUserRepository() }))

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())

    userRepositoryContract(`Prisma on ${kind}`, async () => {
      await db.client.user.deleteMany()
      return {
        repo: new PrismaUserRepository(db),
        cascadeProbe: {
          createOwnedSession: async (userId) =>
            void (await db.client.chatSession.create({
              data: { id: `s-${userId}`, ownerId: userId, title: 't', messages: { create: { id: `m-${userId}`, role: 'user', content: 'hi' } } },
            })),
          countOwnedSessions: async (userId) =>
            (await db.client.chatSession.count({ where: { ownerId: userId } })) + (await db.client.message.count({ where: { id: `m-${userId}` } })),
        },
      }
    })
  })
}
