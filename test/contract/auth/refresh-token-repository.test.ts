import { PrismaRefreshTokenRepository } from '../../../src/features/auth/adapters/prisma-refresh-token.repository.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { refreshTokenRepositoryContract } from '../../../src/features/auth/testing/refresh-token-repository.contract.ts'
import { onEachDatabase } from '../../support/test-database.ts'

refreshTokenRepositoryContract('in-memory fake', async () => ({ repo: new InMemoryRefreshTokenRepository(), userId: 'u1' }))

onEachDatabase((db, kind) =>
  refreshTokenRepositoryContract(`Prisma on ${kind}`, async () => {
    await db().client.user.deleteMany()
    await db().client.user.create({ data: { id: 'u1', username: 'u1', passwordHash: 'x' } })
    return { repo: new PrismaRefreshTokenRepository(db()), userId: 'u1' }
  }),
)
