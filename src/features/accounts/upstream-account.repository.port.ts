import { token } from '../../shared/di.ts'
import type { ProviderKind } from '../providers/ai-provider.port.ts'
import type { AccountChanges, AccountStatus, NewAccount, RefreshedTokens, StoredAccount } from './upstream-account.ts'

export interface AccountFilter {
  providerKind?: ProviderKind
  status?: AccountStatus
}

/** Persistence of upstream accounts and of the model -> account pools. */
export interface UpstreamAccountRepository {
  create(account: NewAccount): Promise<StoredAccount>
  /** All or nothing (one transaction): bulk import. */
  createMany(accounts: NewAccount[]): Promise<StoredAccount[]>
  findById(id: string): Promise<StoredAccount | null>
  /** Oldest first. */
  list(filter?: AccountFilter): Promise<StoredAccount[]>
  /** null when there is no such account. */
  update(id: string, changes: AccountChanges): Promise<StoredAccount | null>
  /** The removed account (its pool memberships go with it), or null. */
  delete(id: string): Promise<StoredAccount | null>
  /**
   * Compare-and-set on the fencing token: writes the new token set only if `tokens.fence` is greater
   * than the stored refreshFence; the status is left as it is (an admin's disable, a rate limit). Returns whether it was written.
   */
  storeRefreshedTokens(id: string, tokens: RefreshedTokens): Promise<boolean>
  /** OAuth accounts whose access token expires before `before`, except disabled and needs_reauth ones. */
  listExpiring(before: Date): Promise<StoredAccount[]>

  /** The accounts in a model's pool, oldest first. */
  accountsForModel(modelConfigId: string): Promise<StoredAccount[]>
  /** The ids of the models an account serves. */
  modelsOf(accountId: string): Promise<string[]>
  /** Replaces a model's pool (one transaction). Unknown ids are the caller's to reject beforehand. */
  replacePool(modelConfigId: string, accountIds: readonly string[]): Promise<void>
}
export const UpstreamAccountRepository = token<UpstreamAccountRepository>('UpstreamAccountRepository')
