import { describe, expect, it } from 'vitest'
import { InProcessRefreshLock } from '../../../src/features/accounts/adapters/in-process-refresh-lock.ts'
import { OAuthRefreshSweeper } from '../../../src/features/accounts/oauth-refresh-sweeper.ts'
import { RefreshExpiringAccounts } from '../../../src/features/accounts/refresh-expiring-accounts.use-case.ts'
import type { StoredAccount } from '../../../src/features/accounts/upstream-account.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'
import { capturedLogger } from '../../support/captured-logger.ts'
import { FakeAccountRepository, FakeTokenClient, HOUR, makeTokens, oauthAccount, serverError } from './account-tokens.fixtures.ts'

const WINDOW_S = 600

function setup() {
  const clock = new ManualClock('2026-07-01T12:00:00.000Z')
  const repository = new FakeAccountRepository(clock)
  const client = new FakeTokenClient(clock)
  const { log, logs } = capturedLogger()
  const tokens = makeTokens({ repository, lock: new InProcessRefreshLock(clock), client, clock, log, options: { sleep: async () => {} } })
  const useCase = new RefreshExpiringAccounts(repository, tokens, clock)
  const inMinutes = (m: number) => new Date(clock.now().getTime() + m * 60_000)
  let n = 0
  const add = (over: Partial<StoredAccount> = {}, known = true) => {
    const secrets = { accessToken: 'access-0-0123456789abcdef', refreshToken: `refresh-0-of-${++n}-0123456789` }
    const account = repository.add(oauthAccount(clock, { secrets, ...over }))
    if (known) client.accept(repository.secretsOf(account.id).refreshToken!)
    return account
  }
  return { clock, repository, client, logs, useCase, inMinutes, add }
}

const accessOf = (t: ReturnType<typeof setup>, id: string) => t.repository.secretsOf(id).accessToken

describe('RefreshExpiringAccounts', () => {
  it('refreshes the tokens that expire within the window, and only those', async () => {
    const t = setup()
    const soon = t.add({ tokenExpiresAt: t.inMinutes(5) })
    const expired = t.add({ tokenExpiresAt: t.inMinutes(-5) })
    const later = t.add({ tokenExpiresAt: t.inMinutes(60) })
    const result = await t.useCase.execute({ windowSeconds: WINDOW_S })
    expect(result).toEqual({ due: 2, renewed: 2, needsReauth: 0, failed: [] })
    expect(t.client.calls).toHaveLength(2)
    for (const { id } of [soon, expired]) expect((await t.repository.findById(id))!.tokenExpiresAt).toEqual(new Date(t.clock.now().getTime() + HOUR))
    expect(accessOf(t, later.id)).toBe('access-0-0123456789abcdef')
    // A second sweep finds nothing to do.
    expect(await t.useCase.execute({ windowSeconds: WINDOW_S })).toEqual({ due: 0, renewed: 0, needsReauth: 0, failed: [] })
    expect(t.client.calls).toHaveLength(2)
  })

  it('leaves disabled, needs_reauth and blocked accounts alone', async () => {
    const t = setup()
    for (const status of ['disabled', 'needs_reauth', 'blocked'] as const) t.add({ status, tokenExpiresAt: t.inMinutes(1) })
    const active = t.add({ tokenExpiresAt: t.inMinutes(1) })
    const result = await t.useCase.execute({ windowSeconds: WINDOW_S })
    expect(result).toMatchObject({ renewed: 1, failed: [] })
    expect(t.client.calls.map((c) => c.refreshToken)).toHaveLength(1)
    expect(accessOf(t, active.id)).toBe('access-1-0123456789abcdef')
  })

  it('goes on after one account fails, and reports each outcome', async () => {
    const t = setup()
    t.client.failures.push(serverError(), serverError(), serverError())
    const failing = t.add({ tokenExpiresAt: t.inMinutes(1) })
    const revoked = t.add({ tokenExpiresAt: t.inMinutes(1) }, false)
    const fine = t.add({ tokenExpiresAt: t.inMinutes(1) })
    const result = await t.useCase.execute({ windowSeconds: WINDOW_S, concurrency: 1 })
    expect(result).toMatchObject({ due: 3, renewed: 1, needsReauth: 1 })
    expect(result.failed.map((f) => f.accountId)).toEqual([failing.id])
    expect((await t.repository.findById(revoked.id))!.status).toBe('needs_reauth')
    expect(accessOf(t, fine.id)).toMatch(/^access-\d/)
    expect(accessOf(t, fine.id)).not.toBe('access-0-0123456789abcdef')
  })

  it('refreshes many accounts with a small concurrency', async () => {
    const t = setup()
    t.client.delayMs = 5
    const ids = Array.from({ length: 10 }, () => t.add({ tokenExpiresAt: t.inMinutes(2) }).id)
    expect(await t.useCase.execute({ windowSeconds: WINDOW_S, concurrency: 3 })).toMatchObject({ due: 10, renewed: 10 })
    expect(new Set(ids.map((id) => accessOf(t, id))).size).toBe(10)
    expect(t.client.reuse).toBe(0)
  })
})

describe('OAuthRefreshSweeper', () => {
  const sweeper = (t: ReturnType<typeof setup>, intervalSeconds: number) => {
    const { log, logs } = capturedLogger([], 'debug')
    return { sweeper: new OAuthRefreshSweeper(t.useCase, { intervalSeconds, windowSeconds: WINDOW_S, firstRunDelayMs: 5 }, log), logs }
  }
  const until = async (check: () => boolean, ms = 2_000) => {
    const end = Date.now() + ms
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  it('sweeps soon after start, then every interval, until stopped', async () => {
    const t = setup()
    const first = t.add({ tokenExpiresAt: t.inMinutes(1) })
    const { sweeper: s, logs } = sweeper(t, 0.03)
    s.start()
    await until(() => t.client.calls.length === 1)
    expect(accessOf(t, first.id)).toBe('access-1-0123456789abcdef')
    t.add({ tokenExpiresAt: t.inMinutes(1) })
    await until(() => t.client.calls.length === 2)
    await s.stop()
    t.add({ tokenExpiresAt: t.inMinutes(1) })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(t.client.calls).toHaveLength(2)
    const summaries = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'OAuth refresh sweep')
    expect(summaries[0]).toMatchObject({ level: 20, due: 1, renewed: 1, failed: 0 })
  })

  it('logs a failed account at warn, without its tokens', async () => {
    const t = setup()
    t.client.failures.push(serverError(), serverError(), serverError())
    const account = t.add({ tokenExpiresAt: t.inMinutes(1) })
    const { sweeper: s, logs } = sweeper(t, 60)
    const result = await s.sweepOnce()
    expect(result!.failed).toHaveLength(1)
    const warned = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40)
    expect(warned.some((l) => l.accountId === account.id)).toBe(true)
    expect(logs.join('\n')).not.toMatch(/access-\d|refresh-\d/)
  })

  it('does not run when the interval is 0', async () => {
    const t = setup()
    t.add({ tokenExpiresAt: t.inMinutes(1) })
    const { sweeper: s } = sweeper(t, 0)
    s.start()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(t.client.calls).toHaveLength(0)
    await s.stop()
  })

  it('survives a sweep that throws (e.g. the database is down)', async () => {
    const t = setup()
    t.repository.listExpiring = async () => {
      throw new Error('database unreachable')
    }
    const { sweeper: s, logs } = sweeper(t, 60)
    expect(await s.sweepOnce()).toBeUndefined()
    expect(logs.some((l) => l.includes('OAuth refresh sweep failed'))).toBe(true)
  })
})
