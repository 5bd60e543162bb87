import { PrismaAuditLog } from '../../../src/features/audit/adapters/prisma-audit-log.ts'
import { auditLogContract } from '../../../src/features/audit/testing/audit-log.contract.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { onEachDatabase } from '../../support/test-database.ts'

auditLogContract('in-memory fake', async ({ ids, clock }) => new InMemoryAuditLog(ids, clock))

onEachDatabase((db, kind) =>
  auditLogContract(`Prisma on ${kind}`, async ({ ids, clock }) => {
    await db().client.auditLog.deleteMany()
    return new PrismaAuditLog(db(), ids, clock)
  }),
)
