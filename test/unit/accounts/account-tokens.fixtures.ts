// Fakes shared by the AccountTokens, sweeper and replica tests: a token endpoint that behaves like a
// real one (rotating refresh tokens, invalid_grant on reuse) and a small account repository.
import { AccountTokens, type AccountTokensOptions } from '../../../src/features/accounts/account-tokens.ts'
import type { OAuthProfile, OAuthProfiles } from '../../../src/features/accounts/oauth/oauth-profile.ts'
import { OAuthEndpointFailed, OAuthInvalidGrant, type OAuthTokenClient, type TokenSet } from '../../../src/features/accounts/oauth/oauth-token-client.port.ts'
import type { RefreshLock } from '../../../src/features/accounts/refresh-lock.port.ts'
import type { AccountFilter, UpstreamAccountRepository } from '../../../src/features/accounts/upstream-account.repository.port.ts'
import { accountProxyAad, accountSecretAad, type AccountChanges, type AccountSecrets, type NewAccount, type RefreshedTokens, type StoredAccount } from '../../../src/features/accounts/upstream-account.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import type { Clock } from '../../../src/shared/clock.port.ts'
import { AesGcmSecretBox } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import type { OutboundRoute } from '../../../src/shared/outbound/outbound-transport.port.ts'
import { noMetrics, type Metrics, type OAuthRefreshOutcome } from '../../../src/shared/metrics.port.ts'
import type { Logger } from '../../../src/shared/logger.ts'

export const box = new AesGcmSecretBox(Buffer.alloc(32, 7))
export const HOUR = 3600_000

const profile = (providerKind: OAuthProfile['providerKind'], rotatesRefreshToken: boolean): OAuthProfile => ({
  providerKind,
  authorizeUrl: 'https://auth.test/authorize',
  tokenUrl: 'https://auth.test/token',
  clientId: `${providerKind}-client`,
  redirectUri: 'https://auth.test/callback',
  scopes: ['user:inference'],
  tokenBodyFormat: providerKind === 'gemini' ? 'form' : 'json',
  extraAuthorizeParams: {},
  rotatesRefreshToken,
})
export const profiles: OAuthProfiles = { anthropic: profile('anthropic', true), gemini: profile('gemini', false) }

export interface RefreshCall {
  profile: OAuthProfile
  refreshToken: string
  route: OutboundRoute
}

/**
 * A token endpoint: one valid refresh token per account, rotated on every refresh (unless
 * `rotate` is off); any other refresh token is answered with invalid_grant, and counted as reuse.
 */
export class FakeTokenClient implements OAuthTokenClient {
  readonly calls: RefreshCall[] = []
  reuse = 0
  delayMs = 0
  rotate = true
  lifetimeMs = HOUR
  /** Thrown, one per call, before anything else. */
  readonly failures: Error[] = []
  private readonly valid = new Set<string>()
  private issued = 0

  constructor(private readonly clock: Clock) {}

  /** Makes `refreshToken` the one the endpoint accepts. */
  accept(refreshToken: string): void {
    this.valid.add(refreshToken)
  }

  async exchangeCode(): Promise<TokenSet> {
    throw new Error('not used here')
  }

  async refresh(profile: OAuthProfile, refreshToken: string, route: OutboundRoute): Promise<TokenSet> {
    this.calls.push({ profile, refreshToken, route })
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs))
    const failure = this.failures.shift()
    if (failure) throw failure
    if (!this.valid.delete(refreshToken)) {
      this.reuse++
      throw new OAuthInvalidGrant('invalid_grant', 'Refresh token not found or invalid')
    }
    const n = ++this.issued
    const rotated = this.rotate ? `refresh-${n}-rotated-0123456789` : null
    this.valid.add(rotated ?? refreshToken)
    return {
      accessToken: `access-${n}-0123456789abcdef`,
      refreshToken: rotated,
      expiresAt: new Date(this.clock.now().getTime() + this.lifetimeMs),
      scopes: 'user:profile user:inference',
    }
  }
}

export const serverError = () => new OAuthEndpointFailed('the OAuth token endpoint answered 503', true)

/** What this feature's code needs of the repository, with the compare-and-set of the real one. */
export class FakeAccountRepository implements UpstreamAccountRepository {
  readonly accounts = new Map<string, StoredAccount>()
  /** 'stored:<id>' and 'updated:<id>' in call order. */
  readonly events: string[] = []

  constructor(private readonly clock: Clock) {}

  add(account: StoredAccount): StoredAccount {
    this.accounts.set(account.id, structuredClone(account))
    return structuredClone(account)
  }

  async findById(id: string): Promise<StoredAccount | null> {
    const found = this.accounts.get(id)
    return found ? structuredClone(found) : null
  }

  async list(filter: AccountFilter = {}): Promise<StoredAccount[]> {
    return [...this.accounts.values()]
      .filter((a) => (!filter.status || a.status === filter.status) && (!filter.providerKind || a.providerKind === filter.providerKind))
      .map((a) => structuredClone(a))
  }

  async update(id: string, changes: AccountChanges): Promise<StoredAccount | null> {
    const found = this.accounts.get(id)
    if (!found) return null
    this.events.push(`updated:${id}`)
    Object.assign(found, changes, { updatedAt: this.clock.now() })
    return structuredClone(found)
  }

  async storeRefreshedTokens(id: string, tokens: RefreshedTokens): Promise<boolean> {
    const found = this.accounts.get(id)
    if (!found || tokens.fence <= found.refreshFence) return false
    this.events.push(`stored:${id}`)
    Object.assign(found, {
      secret: tokens.secret,
      hint: tokens.hint,
      tokenExpiresAt: tokens.tokenExpiresAt,
      scopes: tokens.scopes,
      refreshFence: tokens.fence,
      lastRefreshedAt: tokens.refreshedAt,
      status: 'active',
      statusReason: null,
      statusUntil: null,
    })
    return true
  }

  async listExpiring(before: Date): Promise<StoredAccount[]> {
    return (await this.list()).filter(
      (a) => a.authType === 'oauth' && a.status !== 'disabled' && a.status !== 'needs_reauth' && a.tokenExpiresAt !== null && a.tokenExpiresAt < before,
    )
  }

  create(_account: NewAccount): Promise<StoredAccount> {
    throw new Error('not used here')
  }
  createMany(_accounts: NewAccount[]): Promise<StoredAccount[]> {
    throw new Error('not used here')
  }
  delete(_id: string): Promise<StoredAccount | null> {
    throw new Error('not used here')
  }
  accountsForModel(_modelConfigId: string): Promise<StoredAccount[]> {
    throw new Error('not used here')
  }
  modelsOf(_accountId: string): Promise<string[]> {
    throw new Error('not used here')
  }
  replacePool(_modelConfigId: string, _accountIds: readonly string[]): Promise<void> {
    throw new Error('not used here')
  }

  secretsOf(id: string): AccountSecrets {
    const account = this.accounts.get(id)!
    return JSON.parse(box.open(account.secret.ciphertext, accountSecretAad(id))) as AccountSecrets
  }
}

let seq = 0
export function oauthAccount(clock: Clock, over: Partial<StoredAccount> & { secrets?: AccountSecrets; proxyUrl?: string } = {}): StoredAccount {
  const { secrets = { accessToken: 'access-0-0123456789abcdef', refreshToken: 'refresh-0-initial-0123456789' }, proxyUrl, ...rest } = over
  const id = rest.id ?? `acc-${++seq}`
  const now = clock.now()
  return {
    id,
    name: `account ${id}`,
    providerKind: 'anthropic',
    authType: 'oauth',
    baseUrl: null,
    proxyDisplay: null,
    priority: 50,
    weight: 1,
    status: 'active',
    statusReason: null,
    statusUntil: null,
    hint: 'cdef',
    tokenExpiresAt: new Date(now.getTime() + HOUR),
    scopes: 'user:inference',
    projectId: null,
    lastRefreshedAt: null,
    createdAt: now,
    updatedAt: now,
    secret: box.seal(JSON.stringify(secrets), accountSecretAad(id)),
    proxy: proxyUrl ? box.seal(proxyUrl, accountProxyAad(id)) : null,
    refreshFence: 0,
    ...rest,
  }
}

export class RecordingMetrics implements Metrics {
  readonly refreshes: [string, OAuthRefreshOutcome][] = []
  readonly statuses: [string, string][] = []
  streamOpened = noMetrics.streamOpened
  upstreamCall = noMetrics.upstreamCall
  timeToFirstToken = noMetrics.timeToFirstToken
  overhead = noMetrics.overhead
  tokens = noMetrics.tokens
  quotaRejected = noMetrics.quotaRejected
  oauthRefresh(provider: string, outcome: OAuthRefreshOutcome): void {
    this.refreshes.push([provider, outcome])
  }
  accountStatusChanged(provider: string, status: string): void {
    this.statuses.push([provider, status])
  }
}

export interface TokensDeps {
  repository: UpstreamAccountRepository
  lock: RefreshLock
  client: OAuthTokenClient
  clock: Clock
  log: Logger
  audit?: InMemoryAuditLog
  metrics?: Metrics
  options?: Partial<AccountTokensOptions>
}

export const makeTokens = (d: TokensDeps): AccountTokens =>
  new AccountTokens(d.repository, d.lock, d.client, profiles, box, d.clock, d.audit ?? new InMemoryAuditLog(), d.metrics ?? noMetrics, d.log, d.options ?? {})
