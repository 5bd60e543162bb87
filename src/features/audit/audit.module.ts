import type { DependencyContainer } from 'tsyringe'
import { bindFactory } from '../../shared/di.ts'
import { PrismaAuditLog } from './adapters/prisma-audit-log.ts'
import { AuditQuery } from './audit-query.port.ts'
import { AuditTrail } from './audit-trail.port.ts'

/** Binds AuditTrail (write) and AuditQuery (read) to one Prisma adapter. Needs Database, IdGenerator, Clock. */
export function registerAudit(c: DependencyContainer): void {
  c.registerSingleton(PrismaAuditLog)
  bindFactory(c, AuditTrail, (inner) => inner.resolve(PrismaAuditLog))
  bindFactory(c, AuditQuery, (inner) => inner.resolve(PrismaAuditLog))
}
