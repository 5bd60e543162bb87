import type { OAuthClientConfig } from '../../../config.ts'
import type { OAuthProfile, OAuthProfiles } from './oauth-profile.ts'

export interface OAuthProfileSettings {
  anthropic: OAuthClientConfig
  google: OAuthClientConfig & { clientSecret: string }
}

/** The profiles in force: the configured (or default) endpoints and clients, and each provider's protocol details. */
export function oauthProfilesFrom(settings: OAuthProfileSettings): OAuthProfiles {
  const { anthropic, google } = settings
  return {
    anthropic: {
      providerKind: 'anthropic',
      ...anthropic,
      tokenBodyFormat: 'json',
      // Anthropic's authorize page shows the code to paste back when code=true.
      extraAuthorizeParams: { code: 'true' },
      rotatesRefreshToken: true,
    },
    gemini: {
      providerKind: 'gemini',
      ...google,
      tokenBodyFormat: 'form',
      // Without these Google issues no refresh token (or only on the very first consent).
      extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
      rotatesRefreshToken: false,
    },
  }
}

/** The URL an admin opens to sign in: code flow, PKCE S256, the flow's state. */
export function authorizeUrlOf(profile: OAuthProfile, { state, challenge }: { state: string; challenge: string }): string {
  const url = new URL(profile.authorizeUrl)
  const params: Record<string, string> = {
    ...profile.extraAuthorizeParams,
    response_type: 'code',
    client_id: profile.clientId,
    redirect_uri: profile.redirectUri,
    scope: profile.scopes.join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return url.toString()
}
