import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { auditAction, InvalidAccountInput } from './account-admin.errors.ts'
import { accountInputProblems, auditMetadataOf, newAccountOf, type AccountInput } from './account-input.ts'
import { accountView, type AccountView } from './account-view.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

export interface CreateAccountInput {
  actor: Actor
  account: AccountInput
  /** Audited as how the account came in (default 'manual'; FinishOAuth says 'oauth'). */
  via?: 'manual' | 'oauth'
}

/**
 * Admin: adds an upstream account with an API key, or imports an existing OAuth token set. The
 * secrets are sealed as one JSON value bound to the account's id, the full proxy URL likewise; only
 * the masked proxy and the credential's last 4 characters are ever shown or audited.
 */
@injectable()
export class CreateAccount {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, account: input, via = 'manual' }: CreateAccountInput): Promise<AccountView> {
    const problems = accountInputProblems(input)
    if (problems.length) throw new InvalidAccountInput(problems)
    const created = await this.accounts.create(newAccountOf(input, this.ids.next(), this.box))
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.created'),
      targetType: 'upstream_account',
      targetId: created.id,
      metadata: { ...auditMetadataOf(created), via },
    })
    return accountView(created)
  }
}
