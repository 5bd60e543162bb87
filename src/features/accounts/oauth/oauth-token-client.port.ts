import { token } from '../../../shared/di.ts'
import { AppError } from '../../../shared/errors.ts'
import type { OutboundRoute } from '../../../shared/outbound/outbound-transport.port.ts'
import type { OAuthProfile } from './oauth-profile.ts'

export interface TokenSet {
  accessToken: string
  /** null: the endpoint sent none (keep the old one on refresh, or an imported setup token has none). */
  refreshToken: string | null
  /** From expires_in; null when the endpoint gave no lifetime. */
  expiresAt: Date | null
  scopes: string | null
}

export interface CodeExchange {
  code: string
  verifier: string
  state: string
}

/**
 * Talks to a provider's OAuth token endpoint, through the account's route (its proxy, never a direct
 * connection when one is set). Fails with OAuthInvalidGrant (the code or refresh token was refused:
 * re-authorization needed) or OAuthEndpointFailed (network, timeout, 5xx, an answer that is not the
 * expected JSON); never with a message that contains a token.
 */
export interface OAuthTokenClient {
  exchangeCode(profile: OAuthProfile, exchange: CodeExchange, route: OutboundRoute, signal?: AbortSignal): Promise<TokenSet>
  refresh(profile: OAuthProfile, refreshToken: string, route: OutboundRoute, signal?: AbortSignal): Promise<TokenSet>
}
export const OAuthTokenClient = token<OAuthTokenClient>('OAuthTokenClient')

/** The endpoint refused the grant (`invalid_grant` and friends): an admin must authorize again. 400. */
export class OAuthInvalidGrant extends AppError {
  constructor(readonly providerCode: string, description?: string) {
    super('OAUTH_INVALID_GRANT', `The OAuth token endpoint refused the grant (${providerCode})${description ? `: ${description}` : ''}`)
  }
}

/**
 * The endpoint could not be used: `retryable` for network failures, timeouts and 5xx (a refresh
 * retries those with backoff), not for answers that are not JSON or lack an access token.
 * 502, or 504 for a timeout.
 */
export class OAuthEndpointFailed extends AppError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly timedOut = false,
  ) {
    super(timedOut ? 'OAUTH_ENDPOINT_TIMEOUT' : 'OAUTH_ENDPOINT_FAILED', message)
  }
}
