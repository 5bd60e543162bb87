import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

describe('settings over HTTP', () => {
  let t: TestApp
  let admin: string
  let alice: string
  beforeAll(async () => {
    t = await createTestApp()
    admin = await t.adminToken()
    const registered = await t.registerUser('alice')
    alice = registered.token
    const other = await t.registerUser('carol')
    await addModel('house-model', null)
    await addModel('admins-model', null, 'admins')
    await addModel('alice-model', registered.id)
    await addModel('carol-model', other.id)
  })
  afterAll(() => t.close())

  const addModel = (id: string, ownerId: string | null, visibility = 'all') =>
    t.db.client.modelConfig.create({
      data: { id, ownerId, visibility, providerKind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', modelId: 'gpt-4o-mini', displayName: id, contextWindow: 128000, maxOutputTokens: 4096 },
    })

  it('needs a signed-in caller', async () => {
    expect((await t.request('GET', '/api/settings')).status).toBe(401)
    expect((await t.request('PATCH', '/api/settings/me', { body: { defaultModelId: 'm' } })).status).toBe(401)
  })

  it('shows system defaults (mode from APP_MODE) to any user', async () => {
    const res = await t.request('GET', '/api/settings', { token: alice })
    expect(res.status).toBe(200)
    expect(res.body.system).toEqual({
      mode: 'multi-user',
      registration: 'open',
      defaultModelId: null,
      defaultContextBudget: null,
      defaultUserQuota: {},
      maxMessageChars: 100000,
    })
    expect(res.body.personal).toEqual({ defaultModelId: null, defaultSystemPrompt: null, uiPreferences: {} })
  })

  it('lets only an admin change system settings', async () => {
    const res = await t.request('PATCH', '/api/settings/system', { token: alice, body: { registration: 'closed' } })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
  })

  it.each([
    ['an unknown key', { firstUserIsAdmin: true }],
    ['a bad value', { maxMessageChars: 0 }],
    ['a bad quota', { defaultUserQuota: { tokensPerDay: -1 } }],
    ['a wrong mode', { mode: 'solo' }],
  ])('rejects %s with 400', async (_what, body) => {
    const res = await t.request('PATCH', '/api/settings/system', { token: admin, body })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details.length).toBeGreaterThan(0)
  })

  it('applies an admin change at once, everywhere it is read, and audits it', async () => {
    const res = await t.request('PATCH', '/api/settings/system', {
      token: admin,
      body: { defaultModelId: 'house-model', defaultUserQuota: { tokensPerDay: 5000 }, registration: 'closed' },
    })
    expect(res.status).toBe(200)
    expect(res.body.system).toMatchObject({ defaultModelId: 'house-model', defaultUserQuota: { tokensPerDay: 5000 }, registration: 'closed' })

    expect((await t.request('GET', '/api/settings', { token: alice })).body.effective.defaultModelId).toBe('house-model')
    // The registration gate reads the same cached settings.
    const register = await t.request('POST', '/api/auth/register', { body: { username: 'bob', password: 'bob password' } })
    expect(register.status).toBe(403)

    const audit = await t.request('GET', '/api/audit?action=settings.system_changed', { token: admin })
    expect(audit.body.items[0]).toMatchObject({
      action: 'settings.system_changed',
      metadata: { keys: ['defaultModelId', 'defaultUserQuota', 'registration'], values: { registration: 'closed' } },
    })

    await t.request('PATCH', '/api/settings/system', { token: admin, body: { registration: 'open' } })
    expect((await t.request('POST', '/api/auth/register', { body: { username: 'bob', password: 'bob password' } })).status).toBe(201)
  })

  it.each([
    ['a personal model', 'alice-model'],
    ['an unknown model', 'no-such-model'],
  ])('refuses %s as the system default model with 400 naming the field, changing nothing', async (_what, id) => {
    const res = await t.request('PATCH', '/api/settings/system', { token: admin, body: { defaultModelId: id, maxMessageChars: 7 } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'defaultModelId' }] })
    expect((await t.request('GET', '/api/settings', { token: admin })).body.system.maxMessageChars).not.toBe(7)
  })

  it.each([
    ["another user's model", 'carol-model'],
    ['a system model hidden from me', 'admins-model'],
    ['an unknown model', 'no-such-model'],
  ])('refuses %s as my default model with 400 naming the field', async (_what, id) => {
    const res = await t.request('PATCH', '/api/settings/me', { token: alice, body: { defaultModelId: id } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'defaultModelId' }] })
    expect((await t.request('GET', '/api/settings', { token: alice })).body.personal.defaultModelId).not.toBe(id)
  })

  it('takes a system model I may use as my default', async () => {
    const res = await t.request('PATCH', '/api/settings/me', { token: alice, body: { defaultModelId: 'house-model' } })
    expect(res.status).toBe(200)
    expect(res.body.personal.defaultModelId).toBe('house-model')
    await t.request('PATCH', '/api/settings/me', { token: alice, body: { defaultModelId: null } })
  })

  it('drives the mode reported by /api/info', async () => {
    await t.request('PATCH', '/api/settings/system', { token: admin, body: { mode: 'single-user' } })
    expect((await t.request('GET', '/api/info')).body.mode).toBe('single-user')
    await t.request('PATCH', '/api/settings/system', { token: admin, body: { mode: 'multi-user' } })
    expect((await t.request('GET', '/api/info')).body.mode).toBe('multi-user')
  })

  it('keeps personal settings per user, overriding the system default model', async () => {
    const res = await t.request('PATCH', '/api/settings/me', {
      token: alice,
      body: { defaultModelId: 'alice-model', defaultSystemPrompt: 'Be brief.', uiPreferences: { theme: 'dark' } },
    })
    expect(res.status).toBe(200)
    expect(res.body.personal).toEqual({ defaultModelId: 'alice-model', defaultSystemPrompt: 'Be brief.', uiPreferences: { theme: 'dark' } })
    expect(res.body.effective.defaultModelId).toBe('alice-model')
    expect((await t.request('GET', '/api/settings', { token: admin })).body.personal.defaultSystemPrompt).toBeNull()
  })

  it.each([
    ['a system key', { registration: 'closed' }],
    ['a too-long system prompt', { defaultSystemPrompt: 'x'.repeat(20_001) }],
    ['too large UI preferences', { uiPreferences: { blob: 'x'.repeat(17 * 1024) } }],
    ['UI preferences that are not an object', { uiPreferences: [1, 2] }],
  ])('rejects %s in my settings with 400', async (_what, body) => {
    const res = await t.request('PATCH', '/api/settings/me', { token: alice, body })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('rejects a body that is not JSON', async () => {
    const res = await t.request('PATCH', '/api/settings/me', { token: alice, rawBody: 'theme=dark', headers: { 'content-type': 'text/plain' } })
    expect(res.status).toBe(400)
  })

  it('describes its routes in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/openapi.json')
    expect(doc.status).toBe(200)
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/settings', '/api/settings/system', '/api/settings/me']))
  })
})
