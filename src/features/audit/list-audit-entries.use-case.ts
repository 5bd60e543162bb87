import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden } from '../../shared/errors.ts'
import { AuditQuery, type AuditListQuery, type AuditPage } from './audit-query.port.ts'

export const DEFAULT_AUDIT_PAGE = 50
export const MAX_AUDIT_PAGE = 200

export interface ListAuditEntriesInput extends Omit<AuditListQuery, 'limit'> {
  actor: Actor
  limit?: number
}

@injectable()
export class ListAuditEntries {
  constructor(@inject(AuditQuery) private readonly audit: AuditQuery) {}

  async execute({ actor, limit, ...filter }: ListAuditEntriesInput): Promise<AuditPage> {
    if (!isAdmin(actor)) throw new Forbidden('Only an administrator can read the audit log')
    const requested = limit !== undefined && Number.isFinite(limit) ? Math.trunc(limit) : DEFAULT_AUDIT_PAGE
    const pageSize = Math.min(Math.max(requested, 1), MAX_AUDIT_PAGE)
    return this.audit.list({ ...filter, limit: pageSize })
  }
}
