import { inject, injectable } from 'tsyringe'
import type { AccountPools } from '../models/account-pools.port.ts'
import type { ProviderKind } from '../providers/ai-provider.port.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

/** The models slice's AccountPools over this slice's repository. */
@injectable()
export class RepositoryAccountPools implements AccountPools {
  constructor(@inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository) {}

  async invalidIds(providerKind: ProviderKind, accountIds: readonly string[]): Promise<string[]> {
    if (accountIds.length === 0) return []
    const known = new Set((await this.accounts.list({ providerKind })).map((account) => account.id))
    return [...new Set(accountIds)].filter((id) => !known.has(id))
  }

  replace(modelConfigId: string, accountIds: readonly string[]): Promise<void> {
    return this.accounts.replacePool(modelConfigId, [...new Set(accountIds)])
  }

  async accountIdsOf(modelConfigId: string): Promise<string[]> {
    return (await this.accounts.accountsForModel(modelConfigId)).map((account) => account.id)
  }
}
