import { afterAll, beforeAll, describe } from 'vitest'
import { PrismaRefreshTokenRepository } from '../../../src/features/auth/adapters/prisma-refresh-token.repository.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { refreshTokenRepositoryContract } from '../../../src/features/auth/testing/refresh-token-repository.contract.ts'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { createTestDatabase } from '../../support/test-database.ts'

refreshTokenRepositoryContract('in-memory fake', async () => ({ repo: new InMemoryRefreshTokenRepository(), userId: 'u1' }))

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())

    refreshTokenRepositoryContract(`Prisma on ${kind}`, async () => {
      await db.client.user.deleteMany()
      await db.client.user.create({ data: { id: 'u1', username: 'u1', passwordHash: 'x' } })
      return { repo: new PrismaRefreshTokenRepository(db), userId: 'u1' }
    })
  })
}
