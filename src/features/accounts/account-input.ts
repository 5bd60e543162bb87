import type { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { maskProxyUrl, parseProxyUrl } from '../../shared/outbound/proxy-url.ts'
import type { ProviderKind } from '../providers/ai-provider.port.ts'
import type { AccountProblem } from './account-admin.errors.ts'
import { OAUTH_PROVIDER_KINDS, type OAuthProviderKind } from './oauth/oauth-profile.ts'
import {
  accountProxyAad,
  accountSecretAad,
  DEFAULT_PRIORITY,
  MAX_PRIORITY,
  MIN_PRIORITY,
  secretHint,
  type AccountSecrets,
  type NewAccount,
  type SealedValue,
} from './upstream-account.ts'

export const MIN_ACCOUNT_WEIGHT = 1
export const MAX_ACCOUNT_WEIGHT = 100
export const DEFAULT_ACCOUNT_WEIGHT = 1
export const MAX_SECRET_LENGTH = 16_384
export const MAX_IMPORT = 100

export interface AccountFieldsInput {
  name: string
  providerKind: ProviderKind
  /** null or absent: the provider kind's default endpoint. */
  baseUrl?: string | null
  /** null or absent: direct. */
  proxyUrl?: string | null
  priority?: number
  weight?: number
}

export interface ApiKeyAccountInput extends AccountFieldsInput {
  authType: 'api_key'
  apiKey: string
}

/** An existing OAuth token set (imported, or just obtained by the authorization-code flow). */
export interface OAuthAccountInput extends AccountFieldsInput {
  authType: 'oauth'
  accessToken: string
  refreshToken?: string | null
  expiresAt?: Date | null
  projectId?: string | null
  scopes?: string | null
}

export type AccountInput = ApiKeyAccountInput | OAuthAccountInput

/** Trimmed; refuses whitespace and control characters inside (they would corrupt an auth header). */
export function secretProblems(value: string, path: string): AccountProblem[] {
  const trimmed = value.trim()
  if (trimmed === '') return [{ path, message: 'must not be empty' }]
  if (trimmed.length > MAX_SECRET_LENGTH) return [{ path, message: `must be at most ${MAX_SECRET_LENGTH} characters` }]
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(trimmed)) return [{ path, message: 'must not contain spaces or control characters' }]
  return []
}

export function baseUrlProblems(raw: string, path = 'baseUrl'): AccountProblem[] {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    return [{ path, message: 'must be an absolute http(s) URL' }]
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return [{ path, message: 'must use http or https' }]
  if (url.username || url.password) return [{ path, message: 'must not contain credentials' }]
  if (url.hash) return [{ path, message: 'must not contain a #fragment' }]
  return []
}

/** parseProxyUrl's own message is safe (it never repeats the password). */
export function proxyProblems(raw: string, path = 'proxyUrl'): AccountProblem[] {
  try {
    parseProxyUrl(raw.trim())
    return []
  } catch (error) {
    return [{ path, message: error instanceof Error ? error.message : 'is not a valid proxy URL' }]
  }
}

export const isOAuthProviderKind = (kind: ProviderKind): kind is OAuthProviderKind => (OAUTH_PROVIDER_KINDS as readonly string[]).includes(kind)

/** Every rule of one account's input; `prefix` ('accounts.3.') locates it inside a bulk import. */
export function accountInputProblems(input: AccountInput, prefix = ''): AccountProblem[] {
  const at = (path: string) => `${prefix}${path}`
  const problems: AccountProblem[] = []
  if (input.name.trim() === '') problems.push({ path: at('name'), message: 'must not be empty' })
  if (input.baseUrl) problems.push(...baseUrlProblems(input.baseUrl, at('baseUrl')))
  if (input.proxyUrl) problems.push(...proxyProblems(input.proxyUrl, at('proxyUrl')))
  if (input.priority !== undefined && !(Number.isInteger(input.priority) && input.priority >= MIN_PRIORITY && input.priority <= MAX_PRIORITY)) {
    problems.push({ path: at('priority'), message: `must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}` })
  }
  if (input.weight !== undefined && !(Number.isInteger(input.weight) && input.weight >= MIN_ACCOUNT_WEIGHT && input.weight <= MAX_ACCOUNT_WEIGHT)) {
    problems.push({ path: at('weight'), message: `must be an integer from ${MIN_ACCOUNT_WEIGHT} to ${MAX_ACCOUNT_WEIGHT}` })
  }
  if (input.authType === 'api_key') {
    problems.push(...secretProblems(input.apiKey, at('apiKey')))
    return problems
  }
  if (!isOAuthProviderKind(input.providerKind)) {
    problems.push({ path: at('providerKind'), message: `OAuth accounts exist for ${OAUTH_PROVIDER_KINDS.join(' and ')} only` })
  }
  problems.push(...secretProblems(input.accessToken, at('accessToken')))
  if (input.refreshToken) problems.push(...secretProblems(input.refreshToken, at('refreshToken')))
  if (input.projectId && input.providerKind !== 'gemini') problems.push({ path: at('projectId'), message: 'applies to gemini accounts only' })
  if (input.expiresAt && Number.isNaN(input.expiresAt.getTime())) problems.push({ path: at('expiresAt'), message: 'is not a valid date' })
  return problems
}

export const normalizeBaseUrl = (url: string): string => url.trim().replace(/\/+$/, '')

/** The sealed proxy (full URL, password included) and its masked display; both null: direct. */
export function sealProxy(box: SecretBox, id: string, proxyUrl: string | null | undefined): { proxy: SealedValue | null; proxyDisplay: string | null } {
  const url = proxyUrl?.trim()
  if (!url) return { proxy: null, proxyDisplay: null }
  return { proxy: box.seal(url, accountProxyAad(id)), proxyDisplay: maskProxyUrl(url) }
}

export function sealSecrets(box: SecretBox, id: string, secrets: AccountSecrets): SealedValue {
  return box.seal(JSON.stringify(secrets), accountSecretAad(id))
}

/** A checked input (accountInputProblems found nothing) as the row to insert, its secrets sealed to its id. */
export function newAccountOf(input: AccountInput, id: string, box: SecretBox): NewAccount {
  const common = {
    id,
    name: input.name.trim(),
    providerKind: input.providerKind,
    baseUrl: input.baseUrl ? normalizeBaseUrl(input.baseUrl) : null,
    ...sealProxy(box, id, input.proxyUrl),
    priority: input.priority ?? DEFAULT_PRIORITY,
    weight: input.weight ?? DEFAULT_ACCOUNT_WEIGHT,
    status: 'active' as const,
    statusReason: null,
    statusUntil: null,
  }
  if (input.authType === 'api_key') {
    const apiKey = input.apiKey.trim()
    return {
      ...common,
      authType: 'api_key',
      secret: sealSecrets(box, id, { apiKey }),
      hint: secretHint(apiKey),
      tokenExpiresAt: null,
      scopes: null,
      projectId: null,
    }
  }
  const accessToken = input.accessToken.trim()
  const refreshToken = input.refreshToken?.trim() || undefined
  return {
    ...common,
    authType: 'oauth',
    secret: sealSecrets(box, id, refreshToken ? { accessToken, refreshToken } : { accessToken }),
    hint: secretHint(accessToken),
    tokenExpiresAt: input.expiresAt ?? null,
    scopes: input.scopes ?? null,
    projectId: input.projectId?.trim() || null,
  }
}

/** Audit metadata of an account: never a secret; the proxy only masked. */
export function auditMetadataOf(account: Pick<NewAccount, 'name' | 'providerKind' | 'authType' | 'proxyDisplay' | 'priority' | 'weight' | 'hint'>): Record<string, unknown> {
  return {
    name: account.name,
    providerKind: account.providerKind,
    authType: account.authType,
    proxy: account.proxyDisplay,
    priority: account.priority,
    weight: account.weight,
    hint: account.hint,
  }
}
