import type { ProviderKind } from '../providers/ai-provider.port.ts'

/**
 * An upstream account: one credential at a provider (an API key, or an OAuth token set of a
 * subscription account), optionally reached through its own outbound proxy. System models draw on
 * a pool of accounts; one account may serve several models of its provider kind.
 */
export type AccountAuthType = 'api_key' | 'oauth'
export const ACCOUNT_AUTH_TYPES: readonly AccountAuthType[] = ['api_key', 'oauth']

/**
 * active: usable. cooling_down / rate_limited: sits out until `statusUntil` (then active again by
 * itself). needs_reauth: the refresh token was refused (invalid_grant); an admin must re-authorize.
 * blocked: the provider refused the account itself (403 permission / organization disabled).
 * disabled: switched off by an admin. The last three never serve a request until an admin acts.
 */
export type AccountStatus = 'active' | 'cooling_down' | 'rate_limited' | 'needs_reauth' | 'blocked' | 'disabled'
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['active', 'cooling_down', 'rate_limited', 'needs_reauth', 'blocked', 'disabled']

export const MIN_PRIORITY = 1
export const MAX_PRIORITY = 100
/** Lower numbers are tried first. */
export const DEFAULT_PRIORITY = 50

/** What the platform shows of an account: never a secret. */
export interface UpstreamAccount {
  id: string
  name: string
  providerKind: ProviderKind
  authType: AccountAuthType
  /** Overrides the provider kind's default endpoint; null: the default. */
  baseUrl: string | null
  /** The proxy URL with its password masked (`socks5://bob:***@10.0.0.1:1080`); null: direct. */
  proxyDisplay: string | null
  priority: number
  weight: number
  status: AccountStatus
  statusReason: string | null
  /** End of a cooling_down / rate_limited status; null otherwise. */
  statusUntil: Date | null
  /** Last 4 characters of the API key or access token ('' when too short). */
  hint: string
  /** OAuth: when the access token expires (null: unknown or never, e.g. an imported setup token). */
  tokenExpiresAt: Date | null
  /** OAuth: the scopes granted, as the token endpoint said them. */
  scopes: string | null
  /** Gemini OAuth (Code Assist): the Google Cloud project the calls are made for; null otherwise. */
  projectId: string | null
  lastRefreshedAt: Date | null
  createdAt: Date
  updatedAt: Date
}

/** The secret material, sealed as one JSON value. */
export interface AccountSecrets {
  apiKey?: string
  accessToken?: string
  refreshToken?: string
}

export interface SealedValue {
  ciphertext: string
  keyId: string
}

export interface StoredAccount extends UpstreamAccount {
  /** SecretBox output of JSON AccountSecrets, bound to accountSecretAad(id). */
  secret: SealedValue
  /** SecretBox output of the full proxy URL (with its password), bound to accountProxyAad(id); null: direct. */
  proxy: SealedValue | null
  /** The fencing token of the last refresh written (0: never refreshed); a refresh with a lower one is refused. */
  refreshFence: number
}

export type NewAccount = Omit<StoredAccount, 'createdAt' | 'updatedAt' | 'lastRefreshedAt' | 'refreshFence'>

export type AccountChanges = Partial<
  Pick<StoredAccount, 'name' | 'baseUrl' | 'proxyDisplay' | 'proxy' | 'priority' | 'weight' | 'status' | 'statusReason' | 'statusUntil' | 'secret' | 'hint' | 'tokenExpiresAt' | 'scopes' | 'projectId'>
>

/** A refreshed token set, written only when `fence` is newer than the stored refreshFence. */
export interface RefreshedTokens {
  secret: SealedValue
  hint: string
  tokenExpiresAt: Date | null
  scopes: string | null
  fence: number
  refreshedAt: Date
}

export const accountSecretAad = (id: string): string => `upstream-account:${id}`
export const accountProxyAad = (id: string): string => `upstream-account-proxy:${id}`

/** Statuses that only an admin ends. */
export const isSidelined = (status: AccountStatus): boolean => status === 'needs_reauth' || status === 'blocked' || status === 'disabled'

/** The last 4 characters, so an admin can tell credentials apart. */
export const secretHint = (secret: string): string => (secret.length >= 12 ? secret.slice(-4) : '')
