import { token } from '../../../shared/di.ts'
import type { ProviderKind } from '../../providers/ai-provider.port.ts'

/**
 * How one provider's OAuth works: endpoints, client, scopes and the token endpoint's body format.
 * Defaults are today's public values (docs/operations.md); every URL and the client id are
 * overridable by environment, since providers move them (Anthropic's token endpoint did in 2026).
 */
export interface OAuthProfile {
  providerKind: Extract<ProviderKind, 'anthropic' | 'gemini'>
  authorizeUrl: string
  tokenUrl: string
  clientId: string
  /** Google's installed-app flow sends one; Anthropic's public client has none. */
  clientSecret?: string
  redirectUri: string
  scopes: string[]
  /** Anthropic's token endpoint takes JSON; Google's takes application/x-www-form-urlencoded. */
  tokenBodyFormat: 'json' | 'form'
  /** Extra query parameters of the authorize URL (Anthropic: code=true; Google: access_type=offline, prompt=consent). */
  extraAuthorizeParams: Record<string, string>
  /** Google usually answers a refresh without a new refresh token: the old one is kept then. */
  rotatesRefreshToken: boolean
}

export type OAuthProviderKind = OAuthProfile['providerKind']
export const OAUTH_PROVIDER_KINDS: readonly OAuthProviderKind[] = ['anthropic', 'gemini']

/** The profiles in force (defaults overridden by environment), by provider kind. */
export type OAuthProfiles = Record<OAuthProviderKind, OAuthProfile>
export const OAuthProfiles = token<OAuthProfiles>('OAuthProfiles')
