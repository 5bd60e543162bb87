import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PoolRandom } from '../../src/features/models/credential-pool.ts'
import { bindValue } from '../../src/shared/di.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { DEFAULT_TEXT, startUpstream, type Upstream } from '../support/upstream/server.ts'
import { expectNowhere } from '../unit/models/models-test-app.ts'

const GOOD = 'sk-account-good-0123456789abGOOD'
const BAD = 'sk-account-refused-0123456789aBAD'
const PROXY_PASSWORD = 'proxy-pw-that-must-stay-hidden'

/** A port that nothing listens on any more: a proxy that was killed. */
async function deadPort(): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as { port: number }
  await new Promise<void>((done) => server.close(() => done()))
  return port
}

describe('system models served by upstream accounts (chat and relay, against the test upstream)', () => {
  let t: TestApp
  let upstream: Upstream
  let admin: string
  let user: { token: string; secret: string }
  const responses: unknown[] = []

  const call = async (method: string, url: string, token: string | undefined, body?: unknown) => {
    const res = await t.request(method, url, { token, body })
    responses.push(res.body)
    return res
  }
  const account = async (name: string, extra: Record<string, unknown>) => {
    const res = await call('POST', '/api/admin/accounts', admin, { name, providerKind: 'openai', authType: 'api_key', baseUrl: `${upstream.url}/v1`, ...extra })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id as string
  }
  const systemModel = async (alias: string, accountIds: string[]) => {
    const res = await call('POST', '/api/models/system', admin, { providerKind: 'openai', displayName: alias, alias, modelId: 'gpt-4o-mini', accountIds })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id as string
  }
  const statusOf = async (id: string) => (await call('GET', `/api/admin/accounts/${id}`, admin)).body
  const chat = async (modelId: string) => {
    const session = await call('POST', '/api/sessions', user.token, { modelId })
    return call('POST', '/api/chat', user.token, { sessionId: session.body.id, content: 'hi' })
  }
  const relay = (model: string, stream = false) =>
    t.request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${user.secret}` }, body: { model, stream, messages: [{ role: 'user', content: 'hi' }] } })
  const keysSeen = () => upstream.requests.map((r) => String(r.headers.authorization).replace('Bearer ', ''))

  beforeAll(async () => {
    upstream = await startUpstream({ keys: [GOOD] })
    t = await createTestApp({ override: (c) => bindValue(c, PoolRandom, () => 0) })
    admin = await t.adminToken()
    const registered = await t.registerUser('routed')
    const key = await t.request('POST', '/api/keys', { token: registered.token, body: { name: 'routed' } })
    user = { token: registered.token, secret: key.body.secret }
  })
  beforeEach(() => upstream.reset())
  afterAll(async () => {
    for (const secret of [GOOD, BAD, PROXY_PASSWORD]) expectNowhere(t, secret, responses)
    await t?.close()
    await upstream?.close()
  })

  it('a model with only an account pool (no key of its own) chats and relays through the account', async () => {
    const id = await account('good', { apiKey: GOOD })
    const model = await systemModel('pooled-only', [id])
    const reply = await chat(model)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body).toMatchObject({ content: DEFAULT_TEXT, status: 'complete' })
    const relayed = await relay('pooled-only')
    expect(relayed.status, JSON.stringify(relayed.body)).toBe(200)
    expect(relayed.body.choices[0].message.content).toBe(DEFAULT_TEXT)
    const streamed = await relay('pooled-only', true)
    expect(streamed.status).toBe(200)
    expect(String(streamed.body)).toContain('data: [DONE]')
    expect(keysSeen()).toEqual([GOOD, GOOD, GOOD])
    upstream.reset()
    const tested = await call('POST', `/api/models/${model}/test`, admin)
    expect(tested.body).toMatchObject({ ok: true })
    expect(keysSeen()).toEqual([GOOD])
  })

  it('a refused account is set aside and the next account serves the same request', async () => {
    const refused = await account('refused', { apiKey: BAD, priority: 1 })
    const good = await account('second', { apiKey: GOOD, priority: 2 })
    const model = await systemModel('failover', [refused, good])
    const reply = await chat(model)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(keysSeen()).toEqual([BAD, GOOD])
    expect(await statusOf(refused)).toMatchObject({ status: 'cooling_down' })
    expect(await statusOf(good)).toMatchObject({ status: 'active' })
    upstream.reset()
    expect((await relay('failover')).status).toBe(200)
    expect(keysSeen()).toEqual([GOOD])
  })

  it('an account whose proxy is dead never calls directly: the call fails over, the upstream sees only the next account', async () => {
    const behindDeadProxy = await account('dead-proxy', { apiKey: GOOD, priority: 1, proxyUrl: `socks5://bob:${PROXY_PASSWORD}@127.0.0.1:${await deadPort()}` })
    const direct = await account('direct', { apiKey: GOOD, priority: 2 })
    const model = await systemModel('dead-proxy', [behindDeadProxy, direct])
    const reply = await chat(model)
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(upstream.requests).toHaveLength(1)
    expect(await statusOf(behindDeadProxy)).toMatchObject({ status: 'cooling_down', statusReason: expect.stringContaining('proxy') })
  })

  it('an only account behind a dead proxy: a clear coded error, and nothing reached the upstream', async () => {
    const alone = await account('alone', { apiKey: GOOD, proxyUrl: `http://bob:${PROXY_PASSWORD}@127.0.0.1:${await deadPort()}` })
    await systemModel('alone', [alone])
    const res = await relay('alone')
    expect(res.status).toBeGreaterThanOrEqual(500)
    expect(JSON.stringify(res.body)).toMatch(/proxy/i)
    expect(upstream.requests).toHaveLength(0)
  })
})
