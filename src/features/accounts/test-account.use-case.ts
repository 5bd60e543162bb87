import { inject, injectable } from 'tsyringe'
import { AccountProbe, type ProbeReport } from './account-probe.port.ts'
import { AccountNotFound } from './account-admin.errors.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

/** Admin: is the account's proxy reachable, and does the provider accept its credential? Changes nothing. */
@injectable()
export class TestAccount {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(AccountProbe) private readonly probe: AccountProbe,
  ) {}

  async execute({ accountId }: { accountId: string }): Promise<ProbeReport> {
    const account = await this.accounts.findById(accountId)
    if (!account) throw new AccountNotFound()
    return this.probe.probe(account)
  }
}
