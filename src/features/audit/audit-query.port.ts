import { token } from '../../shared/di.ts'
import type { AuditRecord } from './audit-trail.port.ts'

export interface AuditListQuery {
  actorId?: string
  action?: string
  /** Inclusive. */
  from?: Date
  /** Exclusive. */
  to?: Date
  /** The `nextCursor` of the previous page. */
  cursor?: string
  limit: number
}

export interface AuditPage {
  items: AuditRecord[]
  nextCursor: string | null
}

/** Read side of the audit log: newest first, paged by id (ids are time-ordered). */
export interface AuditQuery {
  list(query: AuditListQuery): Promise<AuditPage>
}
export const AuditQuery = token<AuditQuery>('AuditQuery')
