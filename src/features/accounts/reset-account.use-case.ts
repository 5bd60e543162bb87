import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { CredentialHealth } from '../models/credential-health.port.ts'
import { AccountNotFound, auditAction } from './account-admin.errors.ts'
import { accountView, type AccountView } from './account-view.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

/**
 * Admin: puts an account back to active, whatever its status (cooling down, rate limited, blocked,
 * needs_reauth, disabled): clears statusReason / statusUntil and its live cooldown on every replica.
 */
@injectable()
export class ResetAccount {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(CredentialHealth) private readonly health: CredentialHealth,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async execute({ actor, accountId }: { actor: Actor; accountId: string }): Promise<AccountView> {
    const account = await this.accounts.findById(accountId)
    if (!account) throw new AccountNotFound()
    const updated = await this.accounts.update(accountId, { status: 'active', statusReason: null, statusUntil: null })
    if (!updated) throw new AccountNotFound()
    await this.health.clear(accountId)
    if (account.status !== 'active') this.metrics.accountStatusChanged(account.providerKind, 'active')
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.reset'),
      targetType: 'upstream_account',
      targetId: accountId,
      metadata: { name: account.name, providerKind: account.providerKind, authType: account.authType, fromStatus: account.status, statusReason: account.statusReason },
    })
    return accountView(updated, await this.accounts.modelsOf(accountId))
  }
}
