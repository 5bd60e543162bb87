import { afterAll, beforeAll, describe } from 'vitest'
import { PrismaAuditLog } from '../../../src/features/audit/adapters/prisma-audit-log.ts'
import { auditLogContract } from '../../../src/features/audit/testing/audit-log.contract.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { createTestDatabase } from '../../support/test-database.ts'

auditLogContract('in-memory fake', async ({ ids, clock }) => new InMemoryAuditLog(ids, clock))

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(kind, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())

    auditLogContract(`Prisma on ${kind}`, async ({ ids, clock }) => {
      await db.client.auditLog.deleteMany()
      return new PrismaAuditLog(db, ids, clock)
    })
  })
}
