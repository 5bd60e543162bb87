import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { expectNowhere } from '../unit/models/models-test-app.ts'

const KEY = 'sk-http-test-0123456789abcdefQRST'
const responses: unknown[] = []

describe('models over HTTP', () => {
  let t: TestApp
  let alice: string
  let bob: string
  let admin: string
  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await t.request(method, url, { token, body })
    responses.push(res.body, Object.fromEntries(res.headers))
    return res
  }
  beforeAll(async () => {
    t = await createTestApp()
    alice = (await t.registerUser('alice')).token
    bob = (await t.registerUser('bob')).token
    admin = await t.adminToken()
  })
  afterAll(() => t.close())

  it('needs a signed-in caller everywhere', async () => {
    for (const [method, url] of [
      ['GET', '/api/models'], ['POST', '/api/models'], ['PATCH', '/api/models/x'], ['DELETE', '/api/models/x'],
      ['POST', '/api/models/x/api-key'], ['POST', '/api/models/x/test'], ['GET', '/api/providers'],
      ['POST', '/api/models/system'], ['PATCH', '/api/models/system/x'], ['DELETE', '/api/models/system/x'], ['POST', '/api/admin/keys/rotate'],
    ] as const) {
      expect((await call(method, url, undefined, method === 'GET' ? undefined : { apiKey: KEY })).status, `${method} ${url}`).toBe(401)
    }
  })

  it('creates a personal model, never returns the key, and shows it only to its owner', async () => {
    const created = await call('POST', '/api/models', alice, { providerKind: 'openai', displayName: 'My GPT', modelId: 'gpt-4o-mini', apiKey: KEY })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      scope: 'personal',
      displayName: 'My GPT',
      modelId: 'gpt-4o-mini',
      baseUrl: 'https://api.openai.com/v1',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      hasApiKey: true,
      apiKeyHint: 'QRST',
      enabled: true,
    })
    expect(Object.keys(created.body)).not.toContain('apiKey')

    const mine = await call('GET', '/api/models', alice)
    expect(mine.body.items).toEqual([created.body])
    expect((await call('GET', '/api/models', bob)).body.items).toEqual([])
    expect((await call('GET', '/api/models', admin)).body.items).toEqual([])

    // At rest: only the ciphertext, bound to this row.
    const row = await t.db.client.modelConfig.findUniqueOrThrow({ where: { id: created.body.id } })
    expect(row.credentialCiphertext).toMatch(/^v1:[0-9a-f]{8}:/)
    expect(JSON.stringify(row)).not.toContain(KEY)
    expectNowhere(t, KEY, responses)
    expectNowhere(t, row.credentialCiphertext!, responses)
  })

  it('updates and deletes personal models; the key cannot be set through PATCH', async () => {
    const created = await call('POST', '/api/models', alice, {
      providerKind: 'anthropic', displayName: 'Claude', modelId: 'claude-sonnet-4-5', apiKey: KEY, defaultParams: { temperature: 0.5 },
    })
    const id = created.body.id
    const patched = await call('PATCH', `/api/models/${id}`, alice, { displayName: 'Claude 4.5', alias: 'claude', enabled: false, maxOutputTokens: 8000 })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ displayName: 'Claude 4.5', alias: 'claude', enabled: false, maxOutputTokens: 8000, defaultParams: { temperature: 0.5 }, hasApiKey: true })

    const withKey = await call('PATCH', `/api/models/${id}`, alice, { apiKey: `${KEY}-new` })
    expect(withKey.status).toBe(400)
    expect(withKey.body.error.details).toEqual([expect.objectContaining({ location: 'json' })])
    expectNowhere(t, `${KEY}-new`, responses)

    for (const token of [bob, admin]) {
      expect((await call('PATCH', `/api/models/${id}`, token, { displayName: 'x' })).status).toBe(404)
      expect((await call('DELETE', `/api/models/${id}`, token)).status).toBe(404)
    }
    expect((await call('DELETE', `/api/models/${id}`, alice)).status).toBe(204)
    expect((await call('DELETE', `/api/models/${id}`, alice)).status).toBe(404)
    expect(await t.db.client.modelConfig.findUnique({ where: { id } })).toBeNull()
  })

  it.each([
    ['an unknown provider kind', { providerKind: 'cohere', displayName: 'x', modelId: 'm' }, ['providerKind']],
    ['a missing model id', { providerKind: 'openai', displayName: 'x' }, ['modelId']],
    ['an unknown model without limits', { providerKind: 'openai', displayName: 'x', modelId: 'my-finetune' }, ['contextWindow', 'maxOutputTokens']],
    ['a file: base URL', { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o', baseUrl: 'file:///etc/passwd' }, ['baseUrl']],
    ['credentials in the base URL', { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o', baseUrl: 'https://me:pw@host/v1' }, ['baseUrl']],
    ['a temperature out of range', { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o', defaultParams: { temperature: 3 } }, ['defaultParams.temperature']],
    ['visibility on a personal model', { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o', visibility: 'all' }, ['']],
    ['an empty key', { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o', apiKey: '' }, ['apiKey']],
  ])('refuses %s with 400 and field details', async (_what, body, paths) => {
    const res = await call('POST', '/api/models', alice, body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(paths)
  })

  it('lists provider kinds with default endpoints and known models', async () => {
    const res = await call('GET', '/api/providers', bob)
    expect(res.status).toBe(200)
    expect(res.body.items.map((p: { kind: string }) => p.kind)).toEqual(['openai', 'anthropic', 'gemini'])
    expect(res.body.items[0]).toMatchObject({ defaultBaseUrl: 'https://api.openai.com/v1' })
    expect(res.body.items[0].knownModels).toContainEqual({ id: 'gpt-4o', contextWindow: 128_000, maxOutputTokens: 16_384 })
    expect(res.body.items[0].knownModels).toContainEqual({ id: 'deepseek-chat', contextWindow: 128_000, maxOutputTokens: 8_192, baseUrl: 'https://api.deepseek.com' })
    expect(res.body.items[2].knownModels.map((m: { id: string }) => m.id)).toContain('gemini-2.5-flash')
  })

  it('documents the endpoints in the OpenAPI description, without a readable key field', async () => {
    const doc = (await call('GET', '/openapi.json')).body
    for (const path of ['/api/models', '/api/models/{id}', '/api/models/{id}/api-key', '/api/models/{id}/test', '/api/models/system', '/api/models/system/{id}', '/api/providers', '/api/admin/keys/rotate']) {
      expect(doc.paths, path).toHaveProperty([path])
    }
    expect(Object.keys(doc.components.schemas.Model.properties)).not.toContain('apiKey')
  })

  it('audits model changes without the key', async () => {
    const audit = await call('GET', '/api/audit?limit=100', admin)
    const actions = audit.body.items.map((e: { action: string }) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['model.created', 'model.updated', 'model.deleted']))
    expectNowhere(t, KEY, responses)
  })
})
