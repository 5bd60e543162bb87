import { beforeEach, describe, expect, it } from 'vitest'
import { API_KEY, ACCESS, accountsKit, expectNoSecret, PROXY, REFRESH, root, type AccountsKit } from './accounts-kit.ts'

const apiKeyAccount = (over: Record<string, unknown> = {}) => ({ authType: 'api_key' as const, name: 'main', providerKind: 'anthropic' as const, apiKey: API_KEY, ...over })

describe('admin use cases of upstream accounts', () => {
  let k: AccountsKit
  beforeEach(async () => {
    k = await accountsKit()
  })

  describe('CreateAccount', () => {
    it('seals an API key and the full proxy URL to the account, shows only the hint and the masked proxy', async () => {
      const view = await k.create.execute({ actor: root, account: apiKeyAccount({ proxyUrl: PROXY, baseUrl: 'https://api.example.test/' }) })
      expect(view).toMatchObject({
        id: 'acc-0001', name: 'main', providerKind: 'anthropic', authType: 'api_key', baseUrl: 'https://api.example.test',
        priority: 50, weight: 1, status: 'active', enabled: true, hint: 'KEY1', models: [], tokenExpiresAt: null,
      })
      expect(view.proxyDisplay).toMatch(/^socks5:\/\/bob:.+@10\.0\.0\.1:1080$/)
      expect(k.secretsOf(view.id)).toEqual({ apiKey: API_KEY })
      expect(k.proxyOf(view.id)).toBe(PROXY)
      expect(k.audit.records).toMatchObject([{ action: 'accounts.created', actorId: root.userId, targetId: view.id, metadata: { name: 'main', providerKind: 'anthropic', authType: 'api_key', via: 'manual' } }])
      expectNoSecret([view, k.audit.records])
    })

    it('imports an OAuth token set (anthropic or gemini), with its expiry and project', async () => {
      const expiresAt = new Date('2026-12-07T18:00:00.000Z')
      const view = await k.create.execute({
        actor: root,
        account: { authType: 'oauth', name: 'sub', providerKind: 'gemini', accessToken: ACCESS, refreshToken: REFRESH, expiresAt, projectId: 'proj-1', priority: 10, weight: 3 },
      })
      expect(view).toMatchObject({ authType: 'oauth', providerKind: 'gemini', hint: 'ACC1', tokenExpiresAt: expiresAt.toISOString(), projectId: 'proj-1', priority: 10, weight: 3, proxyDisplay: null })
      expect(k.secretsOf(view.id)).toEqual({ accessToken: ACCESS, refreshToken: REFRESH })
      expectNoSecret([view, k.audit.records])
    })

    it.each([
      ['a malformed proxy URL', apiKeyAccount({ proxyUrl: 'ftp://nope' }), 'proxyUrl'],
      ['a proxy URL that is no URL', apiKeyAccount({ proxyUrl: 'not a url at all' }), 'proxyUrl'],
      ['a key with spaces', apiKeyAccount({ apiKey: 'sk has spaces' }), 'apiKey'],
      ['a base URL with credentials', apiKeyAccount({ baseUrl: 'https://u:p@api.test' }), 'baseUrl'],
      ['an OpenAI OAuth account', { authType: 'oauth', name: 'x', providerKind: 'openai', accessToken: ACCESS }, 'providerKind'],
      ['a project for anthropic', { authType: 'oauth', name: 'x', providerKind: 'anthropic', accessToken: ACCESS, projectId: 'p' }, 'projectId'],
      ['priority 0', apiKeyAccount({ priority: 0 }), 'priority'],
      ['weight 101', apiKeyAccount({ weight: 101 }), 'weight'],
    ])('refuses %s with a 400 naming the field, and stores nothing', async (_what, account, path) => {
      const error = await k.create.execute({ actor: root, account: account as never }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ location: 'json', path })] })
      expect(k.repo.accounts.size).toBe(0)
      expect(k.audit.records).toEqual([])
      expectNoSecret(error, ['hunter2-proxy-pw', API_KEY])
    })
  })

  describe('ImportAccounts', () => {
    it('creates all of them in one go and audits one entry', async () => {
      const { items } = await k.importMany.execute({
        actor: root,
        accounts: [apiKeyAccount({ name: 'one' }), { authType: 'oauth', name: 'two', providerKind: 'anthropic', accessToken: ACCESS }],
      })
      expect(items.map((a) => [a.name, a.authType])).toEqual([['one', 'api_key'], ['two', 'oauth']])
      expect(k.audit.records).toMatchObject([{ action: 'accounts.imported', metadata: { count: 2 } }])
      expectNoSecret([items, k.audit.records])
    })

    it('creates none when one item is bad, and says which', async () => {
      const error = await k.importMany
        .execute({ actor: root, accounts: [apiKeyAccount({ name: 'one' }), apiKeyAccount({ proxyUrl: 'gopher://x' })] })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'accounts.1.proxyUrl' })] })
      expect(k.repo.accounts.size).toBe(0)
    })

    it('refuses an empty list and more than 100', async () => {
      await expect(k.importMany.execute({ actor: root, accounts: [] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      const many = Array.from({ length: 101 }, (_, i) => apiKeyAccount({ name: `n${i}` }))
      await expect(k.importMany.execute({ actor: root, accounts: many })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(k.repo.accounts.size).toBe(0)
    })
  })

  describe('ListAccounts and GetAccount', () => {
    it('filters by provider kind and status, and shows the models each account serves', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount({ name: 'a' }) })
      const b = await k.create.execute({ actor: root, account: apiKeyAccount({ name: 'b', providerKind: 'openai' }) })
      await k.update.execute({ actor: root, accountId: b.id, changes: { enabled: false } })
      await k.repo.replacePool('model-1', [a.id])
      expect((await k.list.execute()).items.map((x) => x.name)).toEqual(['a', 'b'])
      expect((await k.list.execute({ providerKind: 'openai' })).items.map((x) => x.name)).toEqual(['b'])
      expect((await k.list.execute({ status: 'disabled' })).items.map((x) => x.name)).toEqual(['b'])
      expect((await k.get.execute({ accountId: a.id })).models).toEqual(['model-1'])
      await expect(k.get.execute({ accountId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })

  describe('UpdateAccount', () => {
    it('changes fields, removes the proxy with null, disables and enables again', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount({ proxyUrl: PROXY }) })
      const changed = await k.update.execute({ actor: root, accountId: a.id, changes: { name: 'renamed', priority: 5, weight: 7, baseUrl: 'https://x.test', proxyUrl: null } })
      expect(changed).toMatchObject({ name: 'renamed', priority: 5, weight: 7, baseUrl: 'https://x.test', proxyDisplay: null })
      expect(k.proxyOf(a.id)).toBeNull()
      expect((await k.update.execute({ actor: root, accountId: a.id, changes: { enabled: false } })).status).toBe('disabled')
      const enabled = await k.update.execute({ actor: root, accountId: a.id, changes: { enabled: true } })
      expect(enabled).toMatchObject({ status: 'active', enabled: true })
      expect(k.audit.records.filter((r) => r.action === 'accounts.updated')).toHaveLength(3)
      expectNoSecret(k.audit.records)
    })

    it('sets a new proxy sealed, shown masked', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      const changed = await k.update.execute({ actor: root, accountId: a.id, changes: { proxyUrl: PROXY } })
      expect(changed.proxyDisplay).toContain('10.0.0.1:1080')
      expect(k.proxyOf(a.id)).toBe(PROXY)
      expectNoSecret([changed, k.audit.records])
    })

    it("rotates an api_key account's key (and ends its cooldown); refuses a key for an OAuth account", async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      const NEW = 'sk-ant-api-rotated-0123456789NEW9'
      const rotated = await k.update.execute({ actor: root, accountId: a.id, changes: { apiKey: NEW } })
      expect(rotated.hint).toBe('NEW9')
      expect(k.secretsOf(a.id)).toEqual({ apiKey: NEW })
      expect(k.health.cleared).toEqual([a.id])
      expectNoSecret(k.audit.records, [NEW, API_KEY])

      const o = await k.create.execute({ actor: root, account: { authType: 'oauth', name: 'o', providerKind: 'anthropic', accessToken: ACCESS } })
      await expect(k.update.execute({ actor: root, accountId: o.id, changes: { apiKey: NEW } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    })

    it('changes nothing on bad input, and 404s an unknown account', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      const before = await k.repo.findById(a.id)
      await expect(k.update.execute({ actor: root, accountId: a.id, changes: { name: 'x', proxyUrl: 'http://' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      expect(await k.repo.findById(a.id)).toEqual(before)
      await expect(k.update.execute({ actor: root, accountId: 'nope', changes: { name: 'x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })

  describe('ResetAccount, DeleteAccount, TestAccount', () => {
    it('reset puts any status back to active and clears the live cooldown', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      await k.repo.update(a.id, { status: 'rate_limited', statusReason: '429 from upstream', statusUntil: new Date(k.clock.now().getTime() + 60_000) })
      await k.health.coolDown(a.id, k.clock.now().getTime() + 60_000, 429)
      const view = await k.reset.execute({ actor: root, accountId: a.id })
      expect(view).toMatchObject({ status: 'active', statusReason: null, statusUntil: null })
      expect((await k.health.states([a.id])).size).toBe(0)
      expect(k.audit.records.at(-1)).toMatchObject({ action: 'accounts.reset', metadata: { fromStatus: 'rate_limited' } })
      await expect(k.reset.execute({ actor: root, accountId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('delete removes the account and its pool memberships', async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      await k.repo.replacePool('model-1', [a.id])
      await k.remove.execute({ actor: root, accountId: a.id })
      expect(k.repo.accounts.size).toBe(0)
      expect(await k.repo.accountsForModel('model-1')).toEqual([])
      expect(k.audit.records.at(-1)).toMatchObject({ action: 'accounts.deleted', targetId: a.id, metadata: { models: ['model-1'] } })
      await expect(k.remove.execute({ actor: root, accountId: a.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it("test returns the probe's report and changes nothing", async () => {
      const a = await k.create.execute({ actor: root, account: apiKeyAccount() })
      k.probe.report = { proxy: { ok: false, latencyMs: 3, code: 'proxy_unreachable' }, upstream: { ok: false, latencyMs: 0, status: 0, code: 'proxy_unreachable' } }
      expect(await k.test.execute({ accountId: a.id })).toEqual(k.probe.report)
      expect(k.probe.probed).toEqual([a.id])
      await expect(k.test.execute({ accountId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })
})
