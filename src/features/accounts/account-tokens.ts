import { inject, injectable } from 'tsyringe'
import { AuditTrail, type AuditAction } from '../audit/audit-trail.port.ts'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { token } from '../../shared/di.ts'
import { AppError, NotFound } from '../../shared/errors.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { AccountNeedsReauth, AccountTokenUnavailable, INVALID_GRANT_REASON, NO_REFRESH_TOKEN_REASON } from './accounts.errors.ts'
import { OAuthProfiles, type OAuthProfile } from './oauth/oauth-profile.ts'
import { OAuthEndpointFailed, OAuthInvalidGrant, OAuthTokenClient, type TokenSet } from './oauth/oauth-token-client.port.ts'
import { RefreshLock, type HeldLock } from './refresh-lock.port.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import { accountProxyAad, accountSecretAad, isSidelined, secretHint, type AccountSecrets, type StoredAccount } from './upstream-account.ts'

export interface AccountTokensOptions {
  /** A token that expires within this many seconds is refreshed first (default 60). */
  skewSeconds: number
  /** How long one replica may hold an account's refresh lock; the holder stops calling the endpoint at 80% of it. */
  lockTtlMs: number
  /** Rounds of "try the lock, else wait for its holder" before giving up (a holder may die). */
  lockAttempts: number
  /** Waits before the 2nd, 3rd... call of the token endpoint after a network failure or 5xx. */
  retryDelaysMs: readonly number[]
  sleep: (ms: number) => Promise<void>
}
export const AccountTokensOptions = token<Partial<AccountTokensOptions>>('AccountTokensOptions')

export interface AccessTokenOptions {
  /** The access token an upstream just answered 401 for: it is refreshed and never returned again. */
  rejected?: string
  /** Refresh unless the token stays valid this long (the sweep refreshes ahead); at least skewSeconds. */
  minValiditySeconds?: number
}

interface Want {
  rejected: string | undefined
  /** The access token the caller had: it must stay valid `validForMs`; one refreshed since, the skew. */
  seen: string | undefined
  validForMs: number
}

export const DEFAULT_ACCOUNT_TOKENS_OPTIONS: AccountTokensOptions = {
  skewSeconds: 60,
  lockTtlMs: 30_000,
  lockAttempts: 3,
  retryDelaysMs: [250, 1_000],
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * A usable credential for an upstream account: its API key, or an OAuth access token refreshed when
 * it expires or an upstream just refused it. One refresh per account at a time: callers in this
 * process share one promise, replicas share the RefreshLock, and whoever holds it reads the account
 * again first (another replica may have refreshed it meanwhile) and stores the new token set, with
 * the lock's fence, before anyone gets the new access token. So a refresh token is never used twice.
 */
@injectable()
export class AccountTokens {
  private readonly options: AccountTokensOptions
  private readonly flights = new Map<string, Promise<string>>()

  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(RefreshLock) private readonly lock: RefreshLock,
    @inject(OAuthTokenClient) private readonly tokenClient: OAuthTokenClient,
    @inject(OAuthProfiles) private readonly profiles: OAuthProfiles,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(Log) private readonly log: Logger,
    @inject(AccountTokensOptions) options: Partial<AccountTokensOptions>,
  ) {
    this.options = { ...DEFAULT_ACCOUNT_TOKENS_OPTIONS, ...options }
  }

  /**
   * Throws AccountNeedsReauth (needs_reauth, disabled or blocked, or the refresh token was refused)
   * and AccountTokenUnavailable (the token endpoint failed after retries).
   */
  async accessToken(account: StoredAccount, options: AccessTokenOptions = {}): Promise<string> {
    if (account.authType === 'api_key') {
      const apiKey = this.secretsOf(account).apiKey
      if (!apiKey) throw new AppError('INTERNAL', `upstream account ${account.id} has no API key`)
      return apiKey
    }
    refuseSidelined(account)
    const secrets = this.secretsOf(account)
    const validForMs = Math.max(this.options.skewSeconds, options.minValiditySeconds ?? 0) * 1000
    const want: Want = { rejected: options.rejected, seen: secrets.accessToken, validForMs }
    const current = this.usable(account, secrets, want)
    if (current) return current
    const renewed = await this.shared(account, want)
    // Only when a refresh that was under way already had produced the very token just refused.
    return want.rejected !== undefined && renewed === want.rejected ? this.shared(account, want) : renewed
  }

  private shared(account: StoredAccount, want: Want): Promise<string> {
    const running = this.flights.get(account.id)
    if (running) return running
    const flight: Promise<string> = this.obtain(account, want).finally(() => {
      if (this.flights.get(account.id) === flight) this.flights.delete(account.id)
    })
    this.flights.set(account.id, flight)
    return flight
  }

  private async obtain(account: StoredAccount, want: Want): Promise<string> {
    const { lockTtlMs, lockAttempts } = this.options
    for (let attempt = 1; attempt <= lockAttempts; attempt++) {
      const held = await this.lock.tryAcquire(account.id, lockTtlMs)
      if (held) {
        try {
          return await this.refreshHolding(account, held, want)
        } finally {
          await held.release().catch((err: unknown) => this.log.warn({ err, accountId: account.id }, 'could not release the OAuth refresh lock; it expires by itself'))
        }
      }
      // The holder's store lands before its release, so a fresh token is there now, unless it died.
      await this.lock.waitForRelease(account.id, lockTtlMs)
      const latest = await this.reread(account)
      const token = this.usable(latest, this.secretsOf(latest), want)
      if (token) return token
    }
    this.metrics.oauthRefresh(account.providerKind, 'failed')
    throw new AccountTokenUnavailable(account, `no replica completed the token refresh in ${lockAttempts} rounds of the refresh lock`)
  }

  private async refreshHolding(stale: StoredAccount, held: HeldLock, want: Want): Promise<string> {
    const account = await this.reread(stale)
    const secrets = this.secretsOf(account)
    const current = this.usable(account, secrets, want)
    if (current) return current
    if (held.fence <= account.refreshFence) {
      // Storing would be refused after the endpoint rotated the refresh token: do not call it.
      this.log.error({ accountId: account.id, fence: held.fence, storedFence: account.refreshFence }, 'the refresh lock handed out a fence below the stored one; not refreshing')
      this.metrics.oauthRefresh(account.providerKind, 'failed')
      throw new AccountTokenUnavailable(account, 'the refresh lock is behind the stored refresh fence')
    }
    const refreshToken = secrets.refreshToken
    if (!refreshToken) return this.needsReauth(account, NO_REFRESH_TOKEN_REASON)

    let tokens: TokenSet
    try {
      tokens = await this.callEndpoint(account, refreshToken)
    } catch (error) {
      if (error instanceof OAuthInvalidGrant) return this.refused(account, refreshToken, want)
      this.metrics.oauthRefresh(account.providerKind, 'failed')
      this.log.warn({ err: error, accountId: account.id }, 'OAuth token refresh failed')
      const reason = error instanceof OAuthEndpointFailed ? error.message : 'the token refresh failed'
      throw new AccountTokenUnavailable(account, reason)
    }

    const next: AccountSecrets = { ...secrets, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? refreshToken }
    const stored = await this.store(account, next, tokens, held.fence)
    if (!stored) this.log.error({ accountId: account.id, fence: held.fence }, 'a refresh with a newer fence was stored first (this holder overran its lock); the tokens of this refresh are dropped')
    this.metrics.oauthRefresh(account.providerKind, 'refreshed')
    this.log.debug({ accountId: account.id, expiresAt: tokens.expiresAt }, 'OAuth access token refreshed')
    return tokens.accessToken
  }

  /** Retries network failures and 5xx with backoff, and stops before the lock could expire under it. */
  private async callEndpoint(account: StoredAccount, refreshToken: string): Promise<TokenSet> {
    const profile = this.profileOf(account)
    const proxyUrl = account.proxy ? this.box.open(account.proxy.ciphertext, accountProxyAad(account.id)) : null
    const { retryDelaysMs, lockTtlMs, sleep } = this.options
    const deadline = this.clock.now().getTime() + lockTtlMs * 0.8
    for (let attempt = 0; ; attempt++) {
      const left = deadline - this.clock.now().getTime()
      try {
        return await this.tokenClient.refresh(profile, refreshToken, { proxyUrl }, AbortSignal.timeout(Math.max(1, left)))
      } catch (error) {
        const delay = retryDelaysMs[attempt]
        const retryable = error instanceof OAuthEndpointFailed && error.retryable
        if (!retryable || delay === undefined || this.clock.now().getTime() + delay >= deadline) throw error
        this.log.warn({ err: error, accountId: account.id, attempt: attempt + 1 }, 'OAuth token endpoint failed; retrying')
        await sleep(delay)
      }
    }
  }

  /** The rotated refresh token exists only in memory until this succeeds: a failed write is retried. */
  private async store(account: StoredAccount, secrets: AccountSecrets, tokens: TokenSet, fence: number): Promise<boolean> {
    const refreshed = {
      secret: this.box.seal(JSON.stringify(secrets), accountSecretAad(account.id)),
      hint: secretHint(tokens.accessToken),
      tokenExpiresAt: tokens.expiresAt,
      scopes: tokens.scopes ?? account.scopes,
      fence,
      refreshedAt: this.clock.now(),
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.accounts.storeRefreshedTokens(account.id, refreshed)
      } catch (error) {
        const delay = this.options.retryDelaysMs[attempt]
        if (delay === undefined) throw error
        this.log.error({ err: error, accountId: account.id }, 'could not store refreshed OAuth tokens; retrying')
        await this.options.sleep(delay)
      }
    }
  }

  /** invalid_grant: unless someone else rotated the refresh token meanwhile, the account needs an admin. */
  private async refused(account: StoredAccount, refreshToken: string, want: Want): Promise<string> {
    const latest = await this.reread(account)
    const secrets = this.secretsOf(latest)
    if (secrets.refreshToken !== refreshToken) {
      const token = this.usable(latest, secrets, want)
      if (token) return token
    }
    this.metrics.oauthRefresh(account.providerKind, 'invalid_grant')
    return this.needsReauth(latest, INVALID_GRANT_REASON)
  }

  private async needsReauth(account: StoredAccount, reason: string): Promise<never> {
    await this.accounts.update(account.id, { status: 'needs_reauth', statusReason: reason, statusUntil: null })
    this.metrics.accountStatusChanged(account.providerKind, 'needs_reauth')
    this.log.warn({ accountId: account.id, providerKind: account.providerKind, reason }, 'upstream account needs re-authorization')
    await this.audit
      .record({
        actorId: null,
        action: NEEDS_REAUTH,
        targetType: 'upstream_account',
        targetId: account.id,
        metadata: { name: account.name, providerKind: account.providerKind, reason },
      })
      .catch((err: unknown) => this.log.error({ err, accountId: account.id }, 'could not audit that an upstream account needs re-authorization'))
    throw new AccountNeedsReauth(account, reason)
  }

  private async reread(account: StoredAccount): Promise<StoredAccount> {
    const latest = await this.accounts.findById(account.id)
    if (!latest) throw new NotFound('Upstream account')
    refuseSidelined(latest)
    return latest
  }

  /** The stored access token, unless it expires too soon or is the one just refused. */
  private usable(account: StoredAccount, secrets: AccountSecrets, want: Want): string | undefined {
    const token = secrets.accessToken
    if (!token || token === want.rejected) return undefined
    const expiresAt = account.tokenExpiresAt?.getTime()
    const needed = token === want.seen ? want.validForMs : this.options.skewSeconds * 1000
    if (expiresAt !== undefined && expiresAt - this.clock.now().getTime() <= needed) return undefined
    return token
  }

  private secretsOf(account: StoredAccount): AccountSecrets {
    return JSON.parse(this.box.open(account.secret.ciphertext, accountSecretAad(account.id))) as AccountSecrets
  }

  private profileOf(account: StoredAccount): OAuthProfile {
    const profile = (this.profiles as Partial<Record<string, OAuthProfile>>)[account.providerKind]
    if (!profile) throw new AppError('INTERNAL', `no OAuth profile for provider kind ${account.providerKind}`)
    return profile
  }
}

// Widened until AuditAction (audit-trail.port.ts, not this feature's file) lists 'accounts.needs_reauth'.
const NEEDS_REAUTH = 'accounts.needs_reauth' as string as AuditAction

function refuseSidelined(account: StoredAccount): void {
  if (isSidelined(account.status)) throw new AccountNeedsReauth(account, account.statusReason ?? `the account is ${account.status}`)
}
