import { PrismaRefreshTokenRepository } from '../../../src/features/auth/adapters/prisma-refresh-token.repository.ts'
import { CachingRefreshTokenRepository } from '../../../src/features/auth/caching-refresh-token.repository.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { refreshTokenRepositoryContract } from '../../../src/features/auth/testing/refresh-token-repository.contract.ts'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { onEachDatabase } from '../../support/test-database.ts'

refreshTokenRepositoryContract('in-memory fake', async () => ({ repo: new InMemoryRefreshTokenRepository(), userId: 'u1' }))
refreshTokenRepositoryContract('caching, over the in-memory fake', async () => ({
  repo: new CachingRefreshTokenRepository(new InMemoryRefreshTokenRepository(), new InProcessCacheInvalidation(), new ManualClock('2026-01-01T00:00:00Z')),
  userId: 'u1',
}))

onEachDatabase((db, kind) =>
  refreshTokenRepositoryContract(`Prisma on ${kind}`, async () => {
    await db().client.user.deleteMany()
    await db().client.user.create({ data: { id: 'u1', username: 'u1', passwordHash: 'x' } })
    return { repo: new PrismaRefreshTokenRepository(db()), userId: 'u1' }
  }),
)
