import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { credentialPoolRoutes } from '../../src/features/models/credential-pool.routes.ts'
import { PoolRandom } from '../../src/features/models/credential-pool.ts'
import { bindValue } from '../../src/shared/di.ts'
import { parseSse } from '../support/sse.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { DEFAULT_TEXT, startUpstream, type Upstream } from '../support/upstream/server.ts'
import { expectNowhere } from '../unit/models/models-test-app.ts'

const BAD = 'sk-rejected-own-key-0123456789BAD0'
const K1 = 'sk-pool-valid-one-0123456789abONE1'
const K2 = 'sk-pool-valid-two-0123456789abTWO2'
const responses: unknown[] = []
const POOL_PATH = '/api/models/system/:id/credentials'

describe('credential pool of a system model over HTTP (against the test upstream)', () => {
  let t: TestApp
  let upstream: Upstream
  let admin: string
  let user: string
  let modelId: string
  let sessionId: string
  const ids: Record<'one' | 'two', string> = { one: '', two: '' }

  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await t.request(method, url, { token, body })
    responses.push(res.body)
    return res
  }
  const pool = () => call('GET', `/api/models/system/${modelId}/credentials`, admin)
  const keysUsed = () => upstream.requests.map((r) => String(r.headers.authorization).replace('Bearer ', ''))
  const chat = async () => {
    const res = await call('POST', '/api/chat', user, { sessionId, content: 'hi' })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body
  }

  beforeAll(async () => {
    upstream = await startUpstream({ keys: [K1, K2] })
    // random() = 0: the selection takes the members in list order (own key, then pool by age), so the test is deterministic.
    t = await createTestApp({ override: (c) => bindValue(c, PoolRandom, () => 0) })
    // Mounted here until app.ts mounts it (the lead's wiring); both together would be harmless.
    if (!t.app.routes.some((r) => r.path === POOL_PATH)) t.app.route('/', credentialPoolRoutes(t.container))
    admin = await t.adminToken()
    user = (await t.registerUser('pooluser')).token
    const model = await call('POST', '/api/models/system', admin, {
      providerKind: 'openai', displayName: 'pooled', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: BAD,
    })
    expect(model.status).toBe(201)
    modelId = model.body.id
    sessionId = (await call('POST', '/api/sessions', user, { modelId })).body.id
  })
  beforeEach(() => upstream.reset())
  afterAll(async () => {
    expectNowhere(t, BAD, responses)
    expectNowhere(t, K1, responses)
    expectNowhere(t, K2, responses)
    await t.close()
    await upstream.close()
  })

  it('adds pooled keys (write-only) and lists them with the model\'s own key', async () => {
    const one = await call('POST', `/api/models/system/${modelId}/credentials`, admin, { label: 'one', apiKey: K1, weight: 2 })
    expect(one.status).toBe(201)
    expect(one.body).toEqual({ id: expect.any(String), label: 'one', hint: 'ONE1', weight: 2, enabled: true, createdAt: expect.any(String), state: 'ready', cooldownUntil: null, lastStatus: null })
    ids.one = one.body.id
    ids.two = (await call('POST', `/api/models/system/${modelId}/credentials`, admin, { label: 'two', apiKey: K2 })).body.id
    const listed = await pool()
    expect(listed.status).toBe(200)
    expect(listed.body.modelKey).toEqual({ hint: 'BAD0', state: 'ready', cooldownUntil: null, lastStatus: null })
    expect(listed.body.items.map((c: { label: string; weight: number }) => [c.label, c.weight])).toEqual([['one', 2], ['two', 1]])
  })

  it('fails over from the rejected own key before the first byte; the own key then cools down', async () => {
    expect(await chat()).toMatchObject({ status: 'complete', content: DEFAULT_TEXT })
    expect(keysUsed()).toEqual([BAD, K1])
    const { body } = await pool()
    expect(body.modelKey).toMatchObject({ state: 'cooling', lastStatus: 401 })
    expect(Date.parse(body.modelKey.cooldownUntil) - Date.now()).toBeGreaterThan(29 * 60_000)

    upstream.reset()
    expect(await chat()).toMatchObject({ status: 'complete' })
    expect(keysUsed()).toEqual([K1]) // the cooling key is tried only after every ready one
  })

  it('cools a rate-limited key for the provider\'s retry-after, shows it and persists it on the row', async () => {
    upstream.enqueue({ fail: 'rate_limit', retryAfter: 120 }) // longer than the retry budget: failed over at once
    expect(await chat()).toMatchObject({ status: 'complete' })
    expect(keysUsed()).toEqual([K1, K2])
    const one = (await pool()).body.items.find((c: { id: string }) => c.id === ids.one)
    expect(one).toMatchObject({ state: 'cooling', lastStatus: 429 })
    expect(Date.parse(one.cooldownUntil) - Date.now()).toBeGreaterThan(100_000)
    await expect.poll(async () => (await t.db.client.providerCredential.findUnique({ where: { id: ids.one } }))?.lastStatus).toBe(429)
  })

  it('with every key cooling or off, tries the one whose cooldown ends first rather than failing', async () => {
    const off = await call('PATCH', `/api/models/system/${modelId}/credentials/${ids.two}`, admin, { enabled: false })
    expect(off.body).toMatchObject({ enabled: false, weight: 1 })
    expect(await chat()).toMatchObject({ status: 'complete' })
    expect(keysUsed()).toEqual([K1]) // cooling 2 min, before the own key's 30 min
    await call('PATCH', `/api/models/system/${modelId}/credentials/${ids.two}`, admin, { enabled: true })
  })

  it('streams through the failover too: the client sees no error', async () => {
    // Ready: two; cooling: one (2 min), the own key (30 min). A 500 is retried with two, a 429 with a
    // long retry-after is failed over: three upstream requests, the reply's whole attempt budget.
    upstream.enqueue({ fail: 'server' }, { fail: 'rate_limit', retryAfter: 120 })
    const res = await call('POST', '/api/chat/stream', user, { sessionId, content: 'hi' })
    const { events } = parseSse(res.body as string)
    expect(events.map((e) => e.event)).toEqual(['message', 'delta', 'delta', 'delta', 'delta', 'usage', 'done'])
    expect(keysUsed()).toEqual([K2, K2, K1])
    const two = (await pool()).body.items.find((c: { id: string }) => c.id === ids.two)
    expect(two).toMatchObject({ state: 'cooling', lastStatus: 429 })
  })

  it('spends at most three upstream requests on one reply, over retries and every key', async () => {
    upstream.setDefault({ fail: 'server' })
    const res = await call('POST', '/api/chat/stream', user, { sessionId, content: 'hi' })
    expect(res.status).toBe(503) // before the first byte: the real status
    expect((res.body as { error: { code: string } }).error.code).toBe('PROVIDER_UNAVAILABLE')
    expect(upstream.requests).toHaveLength(3)
  })

  it('never fails over after the first byte', async () => {
    upstream.enqueue({ text: 'abcdefghijkl', chunks: 6, midStreamErrorAfter: 2 })
    const res = await call('POST', '/api/chat/stream', user, { sessionId, content: 'hi' })
    const { events } = parseSse(res.body as string)
    expect(events.map((e) => e.event)).toEqual(['message', 'delta', 'delta', 'error', 'done'])
    expect(upstream.requests).toHaveLength(1)
  })

  it('is for admins on system models only', async () => {
    const personal = (await call('POST', '/api/models', admin, { providerKind: 'openai', displayName: 'mine', modelId: 'gpt-4o' })).body.id
    const url = `/api/models/system/${modelId}/credentials`
    expect((await call('GET', url)).status).toBe(401)
    expect((await call('GET', url, user)).status).toBe(403)
    expect((await call('POST', url, user, { label: 'x', apiKey: K1 })).status).toBe(403)
    expect((await call('GET', '/api/models/system/nope/credentials', admin)).status).toBe(404)
    expect((await call('GET', `/api/models/system/${personal}/credentials`, admin)).status).toBe(404)
    expect((await call('POST', `/api/models/system/${personal}/credentials`, admin, { label: 'x', apiKey: K1 })).status).toBe(404)
    expect((await call('PATCH', `${url}/unknown`, admin, { weight: 3 })).status).toBe(404)
    expect((await call('DELETE', `${url}/unknown`, admin)).status).toBe(404)
    for (const body of [{ label: 'x', apiKey: K1, weight: 0 }, { label: 'x', apiKey: K1, weight: 101 }, { label: '', apiKey: K1 }, { label: 'x' }, { label: 'x', apiKey: K1, extra: 1 }]) {
      expect((await call('POST', url, admin, body)).status, JSON.stringify(body)).toBe(400)
    }
    expect((await call('PATCH', `${url}/${ids.one}`, admin, { apiKey: K2 })).status).toBe(400)
    expect((await call('PATCH', `${url}/${ids.one}`, admin, { weight: 100 })).status).toBe(200) // 100 is the top weight
    expect((await call('PATCH', `${url}/${ids.one}`, admin, {})).body).toMatchObject({ id: ids.one, weight: 100, label: 'one' })
    await call('PATCH', `${url}/${ids.one}`, admin, { weight: 2 })
  })

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/openapi.json')
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/models/system/{id}/credentials', '/api/models/system/{id}/credentials/{credentialId}']))
    expect(doc.body.components.schemas.AddPoolCredential.required).toEqual(expect.arrayContaining(['label', 'apiKey']))
  })

  it('removes a key, and audits every change without the key', async () => {
    const temp = (await call('POST', `/api/models/system/${modelId}/credentials`, admin, { label: 'temp', apiKey: 'sk-temporary-0123456789abcTMP3' })).body.id
    expect((await call('DELETE', `/api/models/system/${modelId}/credentials/${temp}`, admin)).status).toBe(204)
    expect((await call('DELETE', `/api/models/system/${modelId}/credentials/${temp}`, admin)).status).toBe(404)
    expect((await pool()).body.items.map((c: { id: string }) => c.id)).toEqual([ids.one, ids.two])
    const audit = await call('GET', '/api/audit', admin)
    const actions = audit.body.items.map((e: { action: string }) => e.action)
    for (const action of ['model.credential_added', 'model.credential_updated', 'model.credential_removed']) expect(actions).toContain(action)
    expectNowhere(t, 'sk-temporary-0123456789abcTMP3', responses)
  })
})
