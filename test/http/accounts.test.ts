import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountProbe, type ProbeReport } from '../../src/features/accounts/account-probe.port.ts'
import type { StoredAccount } from '../../src/features/accounts/upstream-account.ts'
import { bindValue } from '../../src/shared/di.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

const API_KEY = 'sk-ant-api03-http-test-0123456789KEY1'
const API_KEY_2 = 'sk-ant-api03-http-rotated-0123456789KEY2'
const ACCESS = 'sk-ant-oat01-http-imported-0123456789ACC1'
const REFRESH = 'sk-ant-ort01-http-imported-0123456789REF1'
const PROXY_PASSWORD = 'pr0xy-secret-pw-77'
const PROXY = `socks5://alice:${PROXY_PASSWORD}@10.0.0.7:1080`
const SECRETS = [API_KEY, API_KEY_2, ACCESS, REFRESH, PROXY_PASSWORD]

/** The probe's route is tested with the providers; here only that the report comes back as it is. */
class StubProbe implements AccountProbe {
  readonly probed: string[] = []
  async probe(account: StoredAccount): Promise<ProbeReport> {
    this.probed.push(account.id)
    return { proxy: account.proxy ? { ok: true, latencyMs: 2 } : null, upstream: { ok: false, latencyMs: 5, status: 401, code: 'PROVIDER_AUTH_FAILED', message: 'invalid x-api-key' } }
  }
}

/** Collects every response body so the suite can assert at the end that no secret was ever answered. */
function recorder(t: () => TestApp) {
  const bodies: unknown[] = []
  return {
    bodies,
    async call(method: string, url: string, token?: string, body?: unknown) {
      const res = await t().request(method, url, { token, body })
      bodies.push(res.body)
      return res
    },
  }
}

function expectNoSecretIn(t: TestApp, bodies: unknown[], audit: unknown): void {
  const haystack = JSON.stringify(bodies) + t.logs.join('') + JSON.stringify(audit)
  for (const secret of SECRETS) if (haystack.includes(secret)) throw new Error(`secret …${secret.slice(-4)} leaked into a response, a log line or the audit trail`)
}

const apiKeyAccount = (over: Record<string, unknown> = {}) => ({ name: 'main', providerKind: 'anthropic', authType: 'api_key', apiKey: API_KEY, ...over })

describe.each(['sqlite', 'postgres'] as const)('upstream accounts admin API on %s', (kind) => {
  let t: TestApp
  let admin: string
  let user: string
  const probe = new StubProbe()
  const r = recorder(() => t)
  const list = async () => (await r.call('GET', '/api/admin/accounts', admin)).body.items as Array<Record<string, unknown>>

  beforeAll(async () => {
    t = await createTestApp({ kind, override: (c) => bindValue(c, AccountProbe, probe) })
    admin = await t.adminToken()
    user = (await t.registerUser('plainuser')).token
  })
  afterAll(async () => {
    const audit = await t.request('GET', '/api/audit?limit=200', { token: admin })
    expectNoSecretIn(t, r.bodies, audit.body)
    await t.close()
  })

  it('is admin only: 401 anonymous, 403 for users', async () => {
    expect((await r.call('GET', '/api/admin/accounts')).status).toBe(401)
    expect((await r.call('GET', '/api/admin/accounts', user)).status).toBe(403)
    expect((await r.call('POST', '/api/admin/accounts', user, apiKeyAccount())).status).toBe(403)
  })

  it('creates an api_key account behind a proxy: secrets write-only, proxy masked', async () => {
    const res = await r.call('POST', '/api/admin/accounts', admin, apiKeyAccount({ proxyUrl: PROXY, priority: 10, weight: 3 }))
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({
      name: 'main', providerKind: 'anthropic', authType: 'api_key', baseUrl: null, proxyDisplay: 'socks5://alice:***@10.0.0.7:1080',
      priority: 10, weight: 3, status: 'active', enabled: true, hint: 'KEY1', models: [],
    })
    expect(Object.keys(res.body)).not.toEqual(expect.arrayContaining(['apiKey', 'secret', 'proxy']))
    const got = await r.call('GET', `/api/admin/accounts/${res.body.id}`, admin)
    expect(got.body).toEqual(res.body)
  })

  it('imports an OAuth token set (anthropic), defaults applied', async () => {
    const res = await r.call('POST', '/api/admin/accounts', admin, {
      name: 'claude sub', providerKind: 'anthropic', authType: 'oauth', accessToken: ACCESS, refreshToken: REFRESH, expiresAt: '2030-01-01T00:00:00Z',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ authType: 'oauth', hint: 'ACC1', priority: 50, weight: 1, tokenExpiresAt: '2030-01-01T00:00:00.000Z', proxyDisplay: null })
  })

  it('bulk import: 201 with all, or 400 and none', async () => {
    const before = await list()
    const bad = await r.call('POST', '/api/admin/accounts/import', admin, {
      accounts: [apiKeyAccount({ name: 'ok one' }), apiKeyAccount({ name: 'bad proxy', proxyUrl: `ftp://x:${PROXY_PASSWORD}@h` })],
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'accounts.1.proxyUrl' })] })
    expect(await list()).toEqual(before)

    const ok = await r.call('POST', '/api/admin/accounts/import', admin, {
      accounts: [apiKeyAccount({ name: 'bulk a', providerKind: 'openai' }), { name: 'bulk b', providerKind: 'gemini', authType: 'oauth', accessToken: ACCESS, projectId: 'p-1' }],
    })
    expect(ok.status, JSON.stringify(ok.body)).toBe(201)
    expect(ok.body.items.map((a: { name: string }) => a.name)).toEqual(['bulk a', 'bulk b'])
    expect((await list()).length).toBe(before.length + 2)
    const tooMany = await r.call('POST', '/api/admin/accounts/import', admin, { accounts: Array.from({ length: 101 }, (_, i) => apiKeyAccount({ name: `n${i}` })) })
    expect(tooMany.status).toBe(400)
  })

  it('filters by providerKind and status', async () => {
    expect((await r.call('GET', '/api/admin/accounts?providerKind=openai', admin)).body.items.map((a: { name: string }) => a.name)).toEqual(['bulk a'])
    expect((await r.call('GET', '/api/admin/accounts?status=disabled', admin)).body.items).toEqual([])
    expect((await r.call('GET', '/api/admin/accounts?status=sleeping', admin)).status).toBe(400)
  })

  it.each([
    ['a malformed proxy URL', apiKeyAccount({ proxyUrl: 'http://' })],
    ['a proxy with an unknown scheme', apiKeyAccount({ proxyUrl: `socks4://u:${PROXY_PASSWORD}@h:1` })],
    ['an OpenAI OAuth account', { name: 'x', providerKind: 'openai', authType: 'oauth', accessToken: ACCESS }],
    ['a missing key', { name: 'x', providerKind: 'openai', authType: 'api_key' }],
    ['an unknown auth type', { name: 'x', providerKind: 'openai', authType: 'cookie', apiKey: API_KEY }],
    ['priority 101', apiKeyAccount({ priority: 101 })],
    ['weight 0', apiKeyAccount({ weight: 0 })],
    ['an unknown field', apiKeyAccount({ secret: 'x' })],
    ['an empty name', apiKeyAccount({ name: '  ' })],
    ['a key with a space', apiKeyAccount({ apiKey: 'sk bad key' })],
  ])('create with %s: 400 in the envelope, nothing stored', async (_what, body) => {
    const before = await list()
    const res = await r.call('POST', '/api/admin/accounts', admin, body)
    expect(res.status, JSON.stringify(res.body)).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String), requestId: expect.any(String) })
    expect(await list()).toEqual(before)
  })

  it('PATCH: rename, reprioritize, remove the proxy, disable / enable, rotate the key', async () => {
    const id = (await list()).find((a) => a.name === 'main')!.id as string
    const changed = await r.call('PATCH', `/api/admin/accounts/${id}`, admin, { name: 'main renamed', priority: 5, weight: 9, baseUrl: 'https://anthropic.example.test/', proxyUrl: null })
    expect(changed.status, JSON.stringify(changed.body)).toBe(200)
    expect(changed.body).toMatchObject({ name: 'main renamed', priority: 5, weight: 9, baseUrl: 'https://anthropic.example.test', proxyDisplay: null })
    expect((await r.call('PATCH', `/api/admin/accounts/${id}`, admin, { enabled: false })).body).toMatchObject({ status: 'disabled', enabled: false })
    expect((await r.call('GET', '/api/admin/accounts?status=disabled', admin)).body.items.map((a: { id: string }) => a.id)).toEqual([id])
    expect((await r.call('PATCH', `/api/admin/accounts/${id}`, admin, { enabled: true })).body).toMatchObject({ status: 'active', enabled: true })
    expect((await r.call('PATCH', `/api/admin/accounts/${id}`, admin, { apiKey: API_KEY_2, proxyUrl: PROXY })).body).toMatchObject({ hint: 'KEY2', proxyDisplay: 'socks5://alice:***@10.0.0.7:1080' })
  })

  it('PATCH with bad input is a 400 that changes nothing; unknown id 404', async () => {
    const before = await list()
    const main = before.find((a) => a.name === 'main renamed')!
    const oauth = before.find((a) => a.name === 'claude sub')!
    for (const [id, body] of [
      [main.id, { proxyUrl: 'nope://x' }],
      [main.id, { priority: 0 }],
      [main.id, { name: 'ok', enabled: 'yes' }],
      [main.id, { authType: 'oauth' }],
      [oauth.id, { apiKey: API_KEY_2 }],
    ] as const) {
      const res = await r.call('PATCH', `/api/admin/accounts/${id}`, admin, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect(await list()).toEqual(before)
    expect((await r.call('PATCH', '/api/admin/accounts/nope', admin, { name: 'x' })).status).toBe(404)
  })

  it('test returns the probe report; reset puts the account back to active', async () => {
    const id = (await list()).find((a) => a.name === 'main renamed')!.id as string
    const report = await r.call('POST', `/api/admin/accounts/${id}/test`, admin)
    expect(report.status).toBe(200)
    expect(report.body).toEqual({ proxy: { ok: true, latencyMs: 2 }, upstream: { ok: false, latencyMs: 5, status: 401, code: 'PROVIDER_AUTH_FAILED', message: 'invalid x-api-key' } })
    expect(probe.probed.at(-1)).toBe(id)
    await r.call('PATCH', `/api/admin/accounts/${id}`, admin, { enabled: false })
    const reset = await r.call('POST', `/api/admin/accounts/${id}/reset`, admin)
    expect(reset.status).toBe(200)
    expect(reset.body).toMatchObject({ status: 'active', statusReason: null, statusUntil: null })
    expect((await r.call('POST', '/api/admin/accounts/nope/reset', admin)).status).toBe(404)
    expect((await r.call('POST', '/api/admin/accounts/nope/test', admin)).status).toBe(404)
  })

  it("system models' account pools: create with accountIds, replace with PUT, 400 naming bad ids, 404 personal/unknown", async () => {
    const accounts = await list()
    const anthropic = accounts.filter((a) => a.providerKind === 'anthropic').map((a) => a.id as string)
    const openai = accounts.find((a) => a.providerKind === 'openai')!.id as string
    expect(anthropic.length).toBe(2)
    const model = await r.call('POST', '/api/models/system', admin, { providerKind: 'anthropic', displayName: 'Claude pool', modelId: 'claude-sonnet-4-5', accountIds: [anthropic[0], anthropic[0]] })
    expect(model.status, JSON.stringify(model.body)).toBe(201)
    expect(model.body.accountIds).toEqual([anthropic[0]])
    expect((await r.call('GET', `/api/admin/accounts/${anthropic[0]}`, admin)).body.models).toEqual([model.body.id])

    const keyed = await r.call('POST', '/api/models/system', admin, { providerKind: 'anthropic', displayName: 'keyed', modelId: 'claude-sonnet-4-5', apiKey: API_KEY })
    expect(keyed.body).toMatchObject({ hasApiKey: true, accountIds: [] })

    const badCreate = await r.call('POST', '/api/models/system', admin, { providerKind: 'anthropic', displayName: 'bad', modelId: 'claude-sonnet-4-5', accountIds: [openai, 'ghost-id'] })
    expect(badCreate.status).toBe(400)
    expect(badCreate.body.error.message).toContain('ghost-id')
    expect(badCreate.body.error.message).toContain(openai)

    const put = await r.call('PUT', `/api/models/system/${model.body.id}/accounts`, admin, { accountIds: [...anthropic, anthropic[1]] })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.accountIds).toEqual(anthropic)
    const badPut = await r.call('PUT', `/api/models/system/${model.body.id}/accounts`, admin, { accountIds: [openai] })
    expect(badPut.status).toBe(400)
    expect(badPut.body.error.message).toContain(openai)
    expect((await r.call('GET', `/api/admin/accounts/${anthropic[1]}`, admin)).body.models).toEqual([model.body.id])

    const personal = await r.call('POST', '/api/models', admin, { providerKind: 'anthropic', displayName: 'mine', modelId: 'claude-sonnet-4-5' })
    expect((await r.call('PUT', `/api/models/system/${personal.body.id}/accounts`, admin, { accountIds: [] })).status).toBe(404)
    expect((await r.call('PUT', '/api/models/system/nope/accounts', admin, { accountIds: [] })).status).toBe(404)
    expect((await r.call('PUT', `/api/models/system/${model.body.id}/accounts`, user, { accountIds: [] })).status).toBe(403)
  })

  it('DELETE: 204, gone from the list and from pools; 404 after', async () => {
    const target = (await list()).find((a) => a.name === 'claude sub')!
    const del = await r.call('DELETE', `/api/admin/accounts/${target.id}`, admin)
    expect(del.status).toBe(204)
    expect((await list()).some((a) => a.id === target.id)).toBe(false)
    expect((await r.call('GET', `/api/admin/accounts/${target.id}`, admin)).status).toBe(404)
    expect((await r.call('DELETE', `/api/admin/accounts/${target.id}`, admin)).status).toBe(404)
  })

  it('audits every change without secrets', async () => {
    const audit = await r.call('GET', '/api/audit?limit=200', admin)
    const actions = (audit.body.items as Array<{ action: string }>).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['accounts.created', 'accounts.imported', 'accounts.updated', 'accounts.reset', 'accounts.deleted', 'accounts.pool_replaced']))
    const created = (audit.body.items as Array<{ action: string; metadata: Record<string, unknown> }>).find((e) => e.action === 'accounts.created' && e.metadata.name === 'main')!
    expect(created.metadata).toMatchObject({ providerKind: 'anthropic', authType: 'api_key', proxy: 'socks5://alice:***@10.0.0.7:1080' })
  })
})
