import { describe, expect, it } from 'vitest'
import { AccountScheduler } from '../../../src/features/accounts/account-scheduler.ts'
import type { AccountTokens } from '../../../src/features/accounts/account-tokens.ts'
import { InProcessStickyRoutes } from '../../../src/features/accounts/adapters/in-process-sticky-routes.ts'
import { InMemoryUpstreamAccountRepository } from '../../../src/features/accounts/testing/in-memory-upstream-account.repository.ts'
import { accountProxyAad, accountSecretAad, type NewAccount } from '../../../src/features/accounts/upstream-account.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { InProcessCredentialHealth } from '../../../src/features/models/adapters/in-process-credential-health.ts'
import { AesGcmSecretBox } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { noMetrics } from '../../../src/shared/metrics.port.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

const MODEL = { id: 'mc-1', providerKind: 'anthropic' as const }

function kit(draws: number[] = []) {
  const clock = new ManualClock('2026-12-07T12:00:00.000Z')
  const repo = new InMemoryUpstreamAccountRepository(() => {
    clock.advance(1)
    return clock.now()
  })
  const box = new AesGcmSecretBox(Buffer.alloc(32, 9))
  const audit = new InMemoryAuditLog()
  const health = new InProcessCredentialHealth(clock)
  const tokenCalls: (string | undefined)[] = []
  const tokens = { accessToken: async (_a: unknown, o?: { rejected?: string }) => (tokenCalls.push(o?.rejected), 'fresh-access') } as unknown as AccountTokens
  const scheduler = new AccountScheduler(repo, health, tokens, new InProcessStickyRoutes(clock), box, audit, noMetrics, clock, () => draws.shift() ?? 0, { stickyTtlMs: 60_000 }, createLogger('silent'))
  async function add(id: string, over: Partial<NewAccount> = {}, secrets: object = { apiKey: `sk-${id}-0123456789` }, proxy?: string) {
    await repo.create({
      id,
      name: id,
      providerKind: 'anthropic',
      authType: 'api_key',
      baseUrl: null,
      proxyDisplay: proxy ? 'masked' : null,
      proxy: proxy ? box.seal(proxy, accountProxyAad(id)) : null,
      priority: 50,
      weight: 1,
      status: 'active',
      statusReason: null,
      statusUntil: null,
      hint: '',
      tokenExpiresAt: null,
      scopes: null,
      projectId: null,
      secret: box.seal(JSON.stringify(secrets), accountSecretAad(id)),
      ...over,
    })
    const pool = (await repo.accountsForModel(MODEL.id)).map((a) => a.id)
    await repo.replacePool(MODEL.id, [...pool, id])
  }
  const ids = async (sticky?: string) => (await scheduler.candidatesFor(MODEL, { stickyKey: sticky })).map((c) => c.accountId)
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10))
  return { clock, repo, audit, health, scheduler, add, ids, settle, tokenCalls }
}

describe('AccountScheduler', () => {
  it('orders by priority (lower first), then by weight; leaves out sidelined accounts and other provider kinds', async () => {
    const k = kit([0.9, 0])
    await k.add('low-priority', { priority: 90 })
    await k.add('a', { weight: 1 })
    await k.add('b', { weight: 3 })
    await k.add('blocked', { status: 'blocked' })
    await k.add('needs', { status: 'needs_reauth' })
    await k.add('off', { status: 'disabled' })
    await k.add('gemini', { providerKind: 'gemini' })
    // draw 0.9 of total weight 4 picks b (the 1..4 part), then a.
    expect(await k.ids()).toEqual(['b', 'a', 'low-priority'])
  })

  it('opens each candidate: API key, OAuth token on demand, proxy URL, Code Assist endpoint', async () => {
    const k = kit()
    await k.add('key', {}, { apiKey: 'sk-the-key-0123456789' }, 'socks5://bob:p%40ss@127.0.0.1:1080')
    await k.add('oauth', { authType: 'oauth' }, { accessToken: 'stale', refreshToken: 'r' })
    const [key, oauth] = await k.scheduler.candidatesFor(MODEL, {})
    expect(key).toMatchObject({ apiKey: 'sk-the-key-0123456789', authType: 'api_key', proxyUrl: 'socks5://bob:p%40ss@127.0.0.1:1080', baseUrl: null })
    expect(oauth).toMatchObject({ apiKey: '', authType: 'oauth', proxyUrl: null })
    expect(await oauth!.token!('stale')).toBe('fresh-access')
    expect(k.tokenCalls).toEqual(['stale'])
  })

  it('a 429 puts the account last until its retry-after, then it is first again; it is still tried when alone', async () => {
    const k = kit()
    await k.add('a')
    await k.add('b')
    k.scheduler.reportFailure('a', { status: 429, code: 'PROVIDER_RATE_LIMITED', retryAfterSeconds: 30 })
    await k.settle()
    expect(await k.ids()).toEqual(['b', 'a'])
    expect((await k.repo.findById('a'))).toMatchObject({ status: 'rate_limited', statusReason: expect.stringContaining('429') })
    k.clock.advance(31_000)
    expect(await k.ids()).toEqual(['a', 'b'])

    const alone = kit()
    await alone.add('only')
    alone.scheduler.reportFailure('only', { status: 503, code: 'PROVIDER_UNAVAILABLE' })
    await alone.settle()
    expect(await alone.ids()).toEqual(['only'])
  })

  it('a ban (403 permission_error) blocks the account with an audit entry; it is no longer tried', async () => {
    const k = kit()
    await k.add('a')
    await k.add('b')
    k.scheduler.reportFailure('a', { status: 403, code: 'PROVIDER_AUTH_FAILED', providerCode: 'permission_error', providerMessage: 'denied' })
    await k.settle()
    expect(await k.ids()).toEqual(['b'])
    expect((await k.repo.findById('a'))?.status).toBe('blocked')
    expect(k.audit.records.map((r) => [r.action, r.targetId])).toEqual([['accounts.blocked', 'a']])
  })

  it('sticks a conversation to the account that answered while it is ready', async () => {
    const k = kit([0, 0, 0, 0, 0, 0])
    await k.add('a')
    await k.add('b')
    expect(await k.ids('conv-1')).toEqual(['a', 'b'])
    k.scheduler.reportSuccess('b', { stickyKey: 'conv-1' })
    await k.settle()
    expect(await k.ids('conv-1')).toEqual(['b', 'a'])
    expect(await k.ids('conv-2')).toEqual(['a', 'b'])
    // A cooling sticky account is not forced first.
    k.scheduler.reportFailure('b', { status: 529, code: 'PROVIDER_UNAVAILABLE' })
    await k.settle()
    expect(await k.ids('conv-1')).toEqual(['a', 'b'])
  })
})
