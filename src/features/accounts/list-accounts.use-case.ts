import { inject, injectable } from 'tsyringe'
import { AccountNotFound } from './account-admin.errors.ts'
import { accountView, type AccountView } from './account-view.ts'
import { UpstreamAccountRepository, type AccountFilter } from './upstream-account.repository.port.ts'

/** Admin (checked at the edge): the accounts, oldest first, each with the models it serves. */
@injectable()
export class ListAccounts {
  constructor(@inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository) {}

  async execute(filter: AccountFilter = {}): Promise<{ items: AccountView[] }> {
    const accounts = await this.accounts.list(filter)
    // One small query per account: an admin listing of tens of accounts, not a hot path.
    const models = await Promise.all(accounts.map((account) => this.accounts.modelsOf(account.id)))
    return { items: accounts.map((account, i) => accountView(account, models[i])) }
  }
}

@injectable()
export class GetAccount {
  constructor(@inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository) {}

  async execute({ accountId }: { accountId: string }): Promise<AccountView> {
    const account = await this.accounts.findById(accountId)
    if (!account) throw new AccountNotFound()
    return accountView(account, await this.accounts.modelsOf(account.id))
  }
}
