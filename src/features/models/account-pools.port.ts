import { token } from '../../shared/di.ts'
import type { ProviderKind } from './model-config.ts'

/**
 * The upstream accounts a system model draws on, as the models slice needs them (implemented by the
 * accounts slice). A model with no accounts keeps using its own key and credential pool.
 */
export interface AccountPools {
  /** The ids among `accountIds` that are not upstream accounts of `providerKind` (unknown, or another kind). */
  invalidIds(providerKind: ProviderKind, accountIds: readonly string[]): Promise<string[]>
  /** Replaces the model's pool (one transaction); the ids were checked with invalidIds. */
  replace(modelConfigId: string, accountIds: readonly string[]): Promise<void>
  /** The ids of the accounts in the model's pool, oldest account first. */
  accountIdsOf(modelConfigId: string): Promise<string[]>
}
export const AccountPools = token<AccountPools>('AccountPools')

/** For wiring without the accounts slice (unit tests): no account exists, every pool is empty. */
export const NO_ACCOUNT_POOLS: AccountPools = {
  invalidIds: async (_kind, accountIds) => [...accountIds],
  replace: async (_id, accountIds) => {
    if (accountIds.length) throw new Error('no upstream accounts are wired')
  },
  accountIdsOf: async () => [],
}

/** The same ids without repeats, first occurrence kept. */
export const distinctIds = (ids: readonly string[]): string[] => [...new Set(ids)]

/** The 400 problem for ids that invalidIds returned. */
export const badAccountIdsProblem = (providerKind: ProviderKind, badIds: readonly string[]) => ({
  path: 'accountIds',
  message: `not upstream accounts of provider kind ${providerKind}: ${badIds.join(', ')}`,
  accountIds: [...badIds],
})
