import { AppError, NotFound, ValidationFailed } from '../../shared/errors.ts'
import type { AuditAction } from '../audit/audit-trail.port.ts'

export interface AccountProblem {
  path: string
  message: string
}

/** A 400 in the edge's VALIDATION_FAILED shape, for rules only a use case can check. Never quotes a secret. */
export class InvalidAccountInput extends ValidationFailed {
  constructor(problems: AccountProblem[]) {
    super(
      problems.length === 1 ? `${problems[0]!.path} ${problems[0]!.message}` : 'The upstream account input is invalid',
      problems.map((p) => ({ location: 'json', ...p })),
    )
  }
}

export class AccountNotFound extends NotFound {
  constructor() {
    super('Upstream account')
  }
}

/** Unknown, expired, already finished, or started by another admin: all read the same. */
export class OAuthFlowNotFound extends AppError {
  constructor() {
    super('NOT_FOUND', 'OAuth flow not found or expired')
  }
}

/** What the admin API writes to the audit trail. */
export type AccountAuditAction =
  | 'accounts.created'
  | 'accounts.imported'
  | 'accounts.updated'
  | 'accounts.deleted'
  | 'accounts.reset'
  | 'accounts.oauth_authorized'
  | 'accounts.pool_replaced'

// Widened until AuditAction (audit-trail.port.ts, another slice's file) lists the accounts.* actions.
export const auditAction = (action: AccountAuditAction): AuditAction => action as string as AuditAction
