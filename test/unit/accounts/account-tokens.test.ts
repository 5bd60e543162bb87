import { describe, expect, it } from 'vitest'
import { InProcessRefreshLock } from '../../../src/features/accounts/adapters/in-process-refresh-lock.ts'
import { AccountNeedsReauth, AccountTokenUnavailable, INVALID_GRANT_REASON } from '../../../src/features/accounts/accounts.errors.ts'
import { OAuthEndpointFailed } from '../../../src/features/accounts/oauth/oauth-token-client.port.ts'
import { accountSecretAad, type StoredAccount } from '../../../src/features/accounts/upstream-account.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { capturedLogger } from '../../support/captured-logger.ts'
import { box, FakeAccountRepository, FakeTokenClient, HOUR, makeTokens, oauthAccount, RecordingMetrics, serverError } from './account-tokens.fixtures.ts'

function setup(over: Partial<StoredAccount> & Parameters<typeof oauthAccount>[1] = {}) {
  const clock = new ManualClock('2026-07-01T12:00:00.000Z')
  const repository = new FakeAccountRepository(clock)
  const lock = new InProcessRefreshLock(clock)
  const client = new FakeTokenClient(clock)
  const audit = new InMemoryAuditLog()
  const metrics = new RecordingMetrics()
  const { log, logs } = capturedLogger()
  const slept: number[] = []
  const sleep = async (ms: number) => void slept.push(ms)
  const account = repository.add(oauthAccount(clock, over))
  const secrets = repository.secretsOf(account.id)
  if (secrets.refreshToken) client.accept(secrets.refreshToken)
  const tokens = makeTokens({ repository, lock, client, clock, log, audit, metrics, options: { sleep } })
  return { clock, repository, lock, client, audit, metrics, logs, slept, account, tokens }
}

const expiringSoon = (clock: ManualClock) => new Date(clock.now().getTime() + 30_000)
const manyAt = <T>(n: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => make(i)))

describe('AccountTokens', () => {
  it('returns a token that is still fresh without calling the token endpoint', async () => {
    const t = setup()
    expect(await t.tokens.accessToken(t.account)).toBe('access-0-0123456789abcdef')
    expect(t.client.calls).toHaveLength(0)
  })

  it('returns the API key of an api_key account', async () => {
    const t = setup({ authType: 'api_key', tokenExpiresAt: null, secrets: { apiKey: 'sk-ant-api-0123456789' } })
    expect(await t.tokens.accessToken(t.account, { rejected: 'sk-ant-api-0123456789' })).toBe('sk-ant-api-0123456789')
    expect(t.client.calls).toHaveLength(0)
  })

  it('treats a token without an expiry (a setup token) as fresh', async () => {
    const t = setup({ tokenExpiresAt: null, secrets: { accessToken: 'setup-token-0123456789' } })
    expect(await t.tokens.accessToken(t.account)).toBe('setup-token-0123456789')
  })

  it('refreshes an expiring token once for 100 concurrent callers, and all get the new token', async () => {
    const t = setup()
    t.account.tokenExpiresAt = expiringSoon(t.clock)
    await t.repository.update(t.account.id, { tokenExpiresAt: t.account.tokenExpiresAt })
    t.client.delayMs = 20
    const got = await manyAt(100, () => t.tokens.accessToken(t.account))
    expect(new Set(got)).toEqual(new Set(['access-1-0123456789abcdef']))
    expect(t.client.calls).toHaveLength(1)
    expect(t.client.calls[0]!.refreshToken).toBe('refresh-0-initial-0123456789')
    const stored = (await t.repository.findById(t.account.id))!
    expect(t.repository.secretsOf(t.account.id)).toEqual({ accessToken: 'access-1-0123456789abcdef', refreshToken: 'refresh-1-rotated-0123456789' })
    expect(stored).toMatchObject({ hint: 'cdef', tokenExpiresAt: new Date(t.clock.now().getTime() + HOUR), scopes: 'user:profile user:inference', lastRefreshedAt: t.clock.now() })
    expect(stored.refreshFence).toBeGreaterThan(0)
    expect(t.metrics.refreshes).toEqual([['anthropic', 'refreshed']])
    // The next caller, with the account it read before the refresh, gets the new token without a call.
    expect(await t.tokens.accessToken(stored)).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(1)
  })

  it('refreshes an already expired token', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    expect(await t.tokens.accessToken(t.account)).toBe('access-1-0123456789abcdef')
  })

  it('refreshes a fresh token that an upstream rejected, once for concurrent rejecters', async () => {
    const t = setup()
    t.client.delayMs = 10
    const got = await manyAt(50, () => t.tokens.accessToken(t.account, { rejected: 'access-0-0123456789abcdef' }))
    expect(new Set(got)).toEqual(new Set(['access-1-0123456789abcdef']))
    expect(t.client.calls).toHaveLength(1)
    // A late rejecter of the old token, holding the old account, gets the new token: no second refresh.
    expect(await t.tokens.accessToken(t.account, { rejected: 'access-0-0123456789abcdef' })).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(1)
    // Rejecting the new one refreshes again.
    const latest = (await t.repository.findById(t.account.id))!
    expect(await t.tokens.accessToken(latest, { rejected: 'access-1-0123456789abcdef' })).toBe('access-2-0123456789abcdef')
    expect(t.client.calls).toHaveLength(2)
  })

  it('stores the rotated refresh token before the new access token is handed out', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    const seen: string[] = []
    await t.tokens.accessToken(t.account).then((token) => {
      seen.push(...t.repository.events, `resolved:${token}`)
      expect(t.repository.secretsOf(t.account.id).refreshToken).toBe('refresh-1-rotated-0123456789')
    })
    expect(seen).toEqual([`stored:${t.account.id}`, 'resolved:access-1-0123456789abcdef'])
  })

  it('keeps the refresh token when the endpoint sends none back (Google)', async () => {
    const t = setup({ providerKind: 'gemini', tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.rotate = false
    await t.tokens.accessToken(t.account)
    expect(t.client.calls[0]!.profile.providerKind).toBe('gemini')
    expect(t.repository.secretsOf(t.account.id)).toEqual({ accessToken: 'access-1-0123456789abcdef', refreshToken: 'refresh-0-initial-0123456789' })
  })

  it('never reuses a refresh token, whatever the mix of concurrent callers and replicas', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.delayMs = 5
    // A second "replica" in this process: its own single-flight, the same lock and repository.
    const other = makeTokens({ repository: t.repository, lock: t.lock, client: t.client, clock: t.clock, log: capturedLogger().log })
    for (let round = 0; round < 5; round++) {
      const before = (await t.repository.findById(t.account.id))!
      const old = t.repository.secretsOf(t.account.id).accessToken
      const got = await manyAt(40, (i) => (i % 2 ? other : t.tokens).accessToken(i % 3 ? before : t.account, { rejected: old }))
      expect(new Set(got).size).toBe(1)
      expect(got[0]).not.toBe(old)
    }
    expect(t.client.reuse).toBe(0)
    expect(t.client.calls).toHaveLength(5)
    expect(t.metrics.refreshes.every(([, outcome]) => outcome === 'refreshed')).toBe(true)
  })

  it('waits for another holder and returns the token it stored, never the stale one', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    const held = (await t.lock.tryAcquire(t.account.id, 10_000))!
    const waiting = t.tokens.accessToken(t.account)
    await new Promise((resolve) => setTimeout(resolve, 30))
    // The other replica refreshes and stores, then releases.
    const secret = box.seal(JSON.stringify({ accessToken: 'access-from-elsewhere-0123', refreshToken: 'refresh-elsewhere-0123456' }), accountSecretAad(t.account.id))
    await t.repository.storeRefreshedTokens(t.account.id, { secret, hint: '0123', tokenExpiresAt: new Date(t.clock.now().getTime() + HOUR), scopes: null, fence: held.fence, refreshedAt: t.clock.now() })
    await held.release()
    expect(await waiting).toBe('access-from-elsewhere-0123')
    expect(t.client.calls).toHaveLength(0)
  })

  it('takes over when the holder died (its lock expired without a refresh stored)', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    await t.lock.tryAcquire(t.account.id, 100) // never released
    expect(await t.tokens.accessToken(t.account)).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(1)
  })

  it('gives up with a clear error when the lock never comes free in time', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    const tokens = makeTokens({ repository: t.repository, lock: t.lock, client: t.client, clock: t.clock, log: capturedLogger().log, metrics: t.metrics, options: { lockTtlMs: 40, lockAttempts: 2 } })
    await t.lock.tryAcquire(t.account.id, 10_000)
    const error = await tokens.accessToken(t.account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccountTokenUnavailable)
    expect((error as Error).message).toMatch(/no replica completed the token refresh/)
    expect(t.client.calls).toHaveLength(0)
    expect(t.metrics.refreshes).toEqual([['anthropic', 'failed']])
  })

  it('retries network failures and 5xx with backoff', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.failures.push(serverError(), new OAuthEndpointFailed('connect ECONNRESET', true))
    expect(await t.tokens.accessToken(t.account)).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(3)
    expect(t.slept).toEqual([250, 1_000])
    expect(t.metrics.refreshes).toEqual([['anthropic', 'refreshed']])
  })

  it('fails after the last retry, leaving the account as it was', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.failures.push(serverError(), serverError(), serverError())
    const error = await t.tokens.accessToken(t.account).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AccountTokenUnavailable)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: false })
    expect(t.client.calls).toHaveLength(3)
    expect(t.metrics.refreshes).toEqual([['anthropic', 'failed']])
    expect((await t.repository.findById(t.account.id))!.status).toBe('active')
    // The refresh token is intact: the next try works.
    expect(await t.tokens.accessToken(t.account)).toBe('access-1-0123456789abcdef')
  })

  it('does not retry an answer that is not a token set', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.failures.push(new OAuthEndpointFailed('the OAuth token endpoint answered without an access token', false))
    await expect(t.tokens.accessToken(t.account)).rejects.toBeInstanceOf(AccountTokenUnavailable)
    expect(t.client.calls).toHaveLength(1)
  })

  it('marks the account needs_reauth on invalid_grant, audits it, counts it, and stops calling the endpoint', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z'), secrets: { accessToken: 'access-old-0123456789', refreshToken: 'refresh-revoked-0123456789' } })
    t.client.failures.length = 0
    // The endpoint no longer knows this refresh token.
    const fresh = new FakeTokenClient(t.clock)
    const tokens = makeTokens({ repository: t.repository, lock: t.lock, client: fresh, clock: t.clock, log: capturedLogger().log, audit: t.audit, metrics: t.metrics })
    const errors = await manyAt(10, () => tokens.accessToken(t.account).catch((e: unknown) => e))
    for (const error of errors) {
      expect(error).toBeInstanceOf(AccountNeedsReauth)
      expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', status: 401, retryable: false, providerCode: 'invalid_grant', provider: 'anthropic' })
    }
    expect(fresh.calls).toHaveLength(1)
    expect(await t.repository.findById(t.account.id)).toMatchObject({ status: 'needs_reauth', statusReason: INVALID_GRANT_REASON, statusUntil: null })
    expect(t.audit.records).toHaveLength(1)
    expect(t.audit.records[0]).toMatchObject({ actorId: null, action: 'accounts.needs_reauth', targetType: 'upstream_account', targetId: t.account.id })
    expect(JSON.stringify(t.audit.records[0]!.metadata)).not.toMatch(/refresh-revoked|access-old/)
    expect(t.metrics.refreshes).toEqual([['anthropic', 'invalid_grant']])
    expect(t.metrics.statuses).toEqual([['anthropic', 'needs_reauth']])

    // Later calls, even with the account as read before, never reach the endpoint again.
    await expect(tokens.accessToken(t.account)).rejects.toBeInstanceOf(AccountNeedsReauth)
    const latest = (await t.repository.findById(t.account.id))!
    await expect(tokens.accessToken(latest)).rejects.toBeInstanceOf(AccountNeedsReauth)
    await expect(tokens.accessToken(latest, { rejected: 'access-old-0123456789' })).rejects.toBeInstanceOf(AccountNeedsReauth)
    expect(fresh.calls).toHaveLength(1)
    expect(t.audit.records).toHaveLength(1)
  })

  it('never refreshes a disabled or needs_reauth account', async () => {
    for (const status of ['disabled', 'needs_reauth', 'blocked'] as const) {
      const t = setup({ status, tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
      await expect(t.tokens.accessToken(t.account)).rejects.toBeInstanceOf(AccountNeedsReauth)
      expect(t.client.calls).toHaveLength(0)
    }
  })

  it('marks an account needs_reauth whose rejected token has no refresh token', async () => {
    const t = setup({ tokenExpiresAt: null, secrets: { accessToken: 'setup-token-0123456789' } })
    await expect(t.tokens.accessToken(t.account, { rejected: 'setup-token-0123456789' })).rejects.toBeInstanceOf(AccountNeedsReauth)
    expect(t.client.calls).toHaveLength(0)
    expect((await t.repository.findById(t.account.id))!.status).toBe('needs_reauth')
  })

  it('refreshes through the account\'s proxy', async () => {
    const proxyUrl = 'socks5://bob:p%40ss%3Aword@10.0.0.1:1080'
    const t = setup({ proxyUrl, proxyDisplay: 'socks5://bob:***@10.0.0.1:1080', tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    await t.tokens.accessToken(t.account)
    expect(t.client.calls[0]!.route).toEqual({ proxyUrl })
  })

  it('refreshes directly only when the account has no proxy', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    await t.tokens.accessToken(t.account)
    expect(t.client.calls[0]!.route).toEqual({ proxyUrl: null })
  })

  it('does not refresh when another replica refreshed between the caller\'s read and the lock', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    const other = makeTokens({ repository: t.repository, lock: t.lock, client: t.client, clock: t.clock, log: capturedLogger().log })
    expect(await other.accessToken(t.account)).toBe('access-1-0123456789abcdef')
    // t.account is the stale copy read before that refresh.
    expect(await t.tokens.accessToken(t.account)).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(1)
  })

  it('keeps tokens out of logs and error messages', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T11:00:00.000Z') })
    t.client.failures.push(serverError(), serverError(), serverError())
    const error = (await t.tokens.accessToken(t.account).catch((e: unknown) => e)) as Error
    await t.tokens.accessToken(t.account)
    const revoked = new FakeTokenClient(t.clock)
    const latest = (await t.repository.findById(t.account.id))!
    const needs = (await makeTokens({ repository: t.repository, lock: t.lock, client: revoked, clock: t.clock, log: capturedLogger(t.logs).log })
      .accessToken(latest, { rejected: 'access-1-0123456789abcdef' })
      .catch((e: unknown) => e)) as Error
    for (const text of [...t.logs, error.message, needs.message, JSON.stringify(error), JSON.stringify(needs)]) {
      expect(text).not.toMatch(/access-\d|refresh-\d|0123456789/)
    }
    expect(t.logs.length).toBeGreaterThan(0)
  })
})

describe('AccountTokens minValiditySeconds (the sweep refreshes ahead)', () => {
  it('refreshes a token that expires within the asked validity, and not the new one', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T12:05:00.000Z') })
    expect(await t.tokens.accessToken(t.account)).toBe('access-0-0123456789abcdef')
    expect(await t.tokens.accessToken(t.account, { minValiditySeconds: 600 })).toBe('access-1-0123456789abcdef')
    const latest = (await t.repository.findById(t.account.id))!
    expect(await t.tokens.accessToken(latest, { minValiditySeconds: 600 })).toBe('access-1-0123456789abcdef')
    expect(t.client.calls).toHaveLength(1)
  })

  it('accepts a token another replica refreshed meanwhile even if it is shorter than the asked validity', async () => {
    const t = setup({ tokenExpiresAt: new Date('2026-07-01T12:05:00.000Z') })
    t.client.lifetimeMs = 300_000
    const other = makeTokens({ repository: t.repository, lock: t.lock, client: t.client, clock: t.clock, log: capturedLogger().log })
    const got = await Promise.all([t.tokens.accessToken(t.account, { minValiditySeconds: 600 }), other.accessToken(t.account, { minValiditySeconds: 600 })])
    expect(got).toEqual(['access-1-0123456789abcdef', 'access-1-0123456789abcdef'])
    expect(t.client.calls).toHaveLength(1)
  })
})
