import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { CredentialHealth } from '../models/credential-health.port.ts'
import { AccountNotFound, auditAction } from './account-admin.errors.ts'
import { auditMetadataOf } from './account-input.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

/** Admin: removes an account with its sealed secrets and its pool memberships. */
@injectable()
export class DeleteAccount {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(CredentialHealth) private readonly health: CredentialHealth,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, accountId }: { actor: Actor; accountId: string }): Promise<void> {
    const models = await this.accounts.modelsOf(accountId)
    const removed = await this.accounts.delete(accountId)
    if (!removed) throw new AccountNotFound()
    await this.health.clear(accountId)
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.deleted'),
      targetType: 'upstream_account',
      targetId: accountId,
      metadata: { ...auditMetadataOf(removed), models },
    })
  }
}
