import { token } from '../../shared/di.ts'

export type AuditAction =
  | 'user.role_changed'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.password_reset'
  | 'user.deleted'
  | 'user.created'
  | 'settings.system_changed'
  | 'model.created'
  | 'model.updated'
  | 'model.deleted'
  | 'model.api_key_rotated'
  | 'model.credential_added'
  | 'model.credential_updated'
  | 'model.credential_removed'
  | 'keys.master_key_rotated'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'api_key.rotated'
  | 'accounts.created'
  | 'accounts.imported'
  | 'accounts.updated'
  | 'accounts.deleted'
  | 'accounts.reset'
  | 'accounts.oauth_authorized'
  | 'accounts.pool_replaced'
  | 'accounts.needs_reauth'
  | 'accounts.blocked'

/** One audit entry. Metadata must never hold a secret (passwords, keys, tokens). */
export interface AuditEntry {
  actorId: string | null
  action: AuditAction
  targetType?: string
  targetId?: string
  metadata?: Record<string, unknown>
}

export interface AuditRecord extends Required<Omit<AuditEntry, 'targetType' | 'targetId'>> {
  id: string
  targetType: string | null
  targetId: string | null
  createdAt: Date
}

/** Write side, used by any feature that changes something worth auditing. */
export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>
}
export const AuditTrail = token<AuditTrail>('AuditTrail')
