import { ProviderError } from '../providers/ai-provider.port.ts'
import type { UpstreamAccount } from './upstream-account.ts'

export const INVALID_GRANT_REASON = 'the refresh token was refused (invalid_grant): authorize the account again'
export const NO_REFRESH_TOKEN_REASON = 'the access token was refused and there is no refresh token: authorize the account again'

/**
 * The account cannot authenticate until an admin acts (needs_reauth, disabled, blocked). A
 * PROVIDER_AUTH_FAILED that is not retryable, so failover moves on to the next account.
 */
export class AccountNeedsReauth extends ProviderError {
  readonly accountId: string

  constructor(account: Pick<UpstreamAccount, 'id' | 'providerKind'>, reason: string) {
    super('PROVIDER_AUTH_FAILED', {
      provider: account.providerKind,
      status: 401,
      retryable: false,
      providerCode: 'invalid_grant',
      providerMessage: `upstream account ${account.id}: ${reason}`,
    })
    this.accountId = account.id
  }
}

/**
 * The token endpoint could not be used even after retries (network, timeout, 5xx), or the refresh
 * could not be coordinated. Not retryable here: the refresh was retried already; fail over instead.
 */
export class AccountTokenUnavailable extends ProviderError {
  readonly accountId: string

  constructor(account: Pick<UpstreamAccount, 'id' | 'providerKind'>, reason: string) {
    super('PROVIDER_UNAVAILABLE', {
      provider: account.providerKind,
      status: 0,
      retryable: false,
      providerCode: 'oauth_refresh_failed',
      providerMessage: `upstream account ${account.id}: ${reason}`,
    })
    this.accountId = account.id
  }
}
