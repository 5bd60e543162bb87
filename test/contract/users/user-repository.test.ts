import { PrismaUserRepository } from '../../../src/features/users/adapters/prisma-user.repository.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { userRepositoryContract } from '../../../src/features/users/testing/user-repository.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

userRepositoryContract('in-memory fake', async () => ({ repo: new InMemoryUserRepository() }))

onEachDatabase((db, kind) =>
  userRepositoryContract(`Prisma on ${kind}`, async () => {
    await db().client.user.deleteMany()
    return {
      repo: new PrismaUserRepository(db()),
      cascadeProbe: {
        createOwnedSession: async (userId) =>
          void (await db().client.chatSession.create({
            data: { id: `s-${userId}`, ownerId: userId, title: 't', messages: { create: { id: `m-${userId}`, role: 'user', content: 'hi' } } },
          })),
        countOwnedSessions: async (userId) =>
          (await db().client.chatSession.count({ where: { ownerId: userId } })) + (await db().client.message.count({ where: { id: `m-${userId}` } })),
      },
    }
  }),
)
