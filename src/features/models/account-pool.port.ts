import { token } from '../../shared/di.ts'
import type { CallFailure } from './credential-pool.ts'
import type { CredentialCandidate } from './model-access.port.ts'
import type { ModelConfig } from './model-config.ts'

export interface PoolRequest {
  /** One conversation keeps going to the same account while it is healthy (prompt caching). */
  stickyKey?: string
}

/**
 * The upstream accounts a system model draws on (owned by the models slice, which merges them with
 * the model's own keys; implemented by the accounts slice).
 */
export interface AccountPool {
  /**
   * The model's usable accounts as candidates, best first (priority, then weight; cooling ones last;
   * the sticky one first while it is ready). Empty when the model has no usable account.
   */
  candidatesFor(config: Pick<ModelConfig, 'id' | 'providerKind'>, request: PoolRequest): Promise<CredentialCandidate[]>
  /** An account failed before anything went downstream: cool it down, or set it aside. Never throws. */
  reportFailure(accountId: string, failure: CallFailure): void
  /** An account answered: the conversation sticks to it. Never throws. */
  reportSuccess(accountId: string, request: PoolRequest): void
}
export const AccountPool = token<AccountPool>('AccountPool')
