import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { auditAction, InvalidAccountInput } from './account-admin.errors.ts'
import { accountInputProblems, auditMetadataOf, MAX_IMPORT, newAccountOf, type AccountInput } from './account-input.ts'
import { accountView, type AccountView } from './account-view.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

export interface ImportAccountsInput {
  actor: Actor
  accounts: AccountInput[]
}

/**
 * Admin: bulk import, all or nothing. Every item is checked first (problems located as
 * `accounts.<i>.<field>`), then all are inserted in one transaction, then one audit entry lists them.
 */
@injectable()
export class ImportAccounts {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, accounts: inputs }: ImportAccountsInput): Promise<{ items: AccountView[] }> {
    if (inputs.length === 0) throw new InvalidAccountInput([{ path: 'accounts', message: 'must hold at least one account' }])
    if (inputs.length > MAX_IMPORT) throw new InvalidAccountInput([{ path: 'accounts', message: `must hold at most ${MAX_IMPORT} accounts` }])
    const problems = inputs.flatMap((input, i) => accountInputProblems(input, `accounts.${i}.`))
    if (problems.length) throw new InvalidAccountInput(problems)
    const created = await this.accounts.createMany(inputs.map((input) => newAccountOf(input, this.ids.next(), this.box)))
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.imported'),
      targetType: 'upstream_account',
      metadata: {
        count: created.length,
        accounts: created.map((account) => ({ id: account.id, ...auditMetadataOf(account) })),
      },
    })
    return { items: created.map((account) => accountView(account)) }
  }
}
