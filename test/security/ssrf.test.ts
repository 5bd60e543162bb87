import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DependencyContainer } from 'tsyringe'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ModelConfigRepository } from '../../src/features/models/model-config.repository.port.ts'
import { bindValue, resolve } from '../../src/shared/di.ts'
import { systemResolver, type Resolver } from '../../src/shared/outbound/guarded-connector.ts'
import { OutboundPolicy, OutboundTransport } from '../../src/shared/outbound/outbound-transport.port.ts'
import { UndiciTransport } from '../../src/shared/outbound/undici-transport.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

/**
 * Server-side request forgery through personal models: a user's model may not reach loopback,
 * private or metadata addresses (unless the admin allows them), judged on the address actually
 * connected to; and the model test never echoes what an upstream answered.
 */

/** Names under .rebind.test resolve to 127.0.0.1, as a hostile DNS server would answer: the text of the URL looks public. */
const REBIND = '.rebind.test'
const rebindingResolver: Resolver = (host, callback) =>
  host.endsWith(REBIND) ? setImmediate(() => callback(null, [{ address: '127.0.0.1', family: 4 }])) : systemResolver(host, callback)

/** The app's real transport and policy, with the resolver above (a custom lookup, as DNS rebinding would look). */
const rebindingTransport = (c: DependencyContainer) => {
  const transport = new UndiciTransport({ connectMs: 2_000, headersMs: 5_000, idleMs: 5_000, policy: resolve(c, OutboundPolicy), resolver: rebindingResolver })
  bindValue(c, OutboundTransport, transport)
}

async function platformKey(t: TestApp, token: string): Promise<string> {
  const res = await t.request('POST', '/api/keys', { token, body: { name: 'ssrf' } })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.secret as string
}

const relay = (t: TestApp, secret: string, model: string, stream = false) =>
  t.request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${secret}` }, body: { model, stream, messages: [{ role: 'user', content: 'hi' }] } })

describe('SSRF: personal models under the default outbound policy (public addresses only)', () => {
  let t: TestApp
  let upstream: Upstream
  let user: { token: string; id: string }
  let admin: string
  let port: number

  beforeAll(async () => {
    upstream = await startUpstream()
    port = Number(new URL(upstream.url).port)
    t = await createTestApp({ env: { OUTBOUND_ALLOW_PRIVATE: 'false' }, override: rebindingTransport })
    user = await t.registerUser('mallory')
    admin = await t.adminToken()
  })
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })
  beforeEach(() => upstream.reset())
  afterEach(() => expect(upstream.requests).toEqual([]))

  const createPersonal = (baseUrl: string, extra: Record<string, unknown> = {}) =>
    t.request('POST', '/api/models', { token: user.token, body: { providerKind: 'openai', displayName: 'mine', modelId: 'gpt-4o-mini', baseUrl, apiKey: UPSTREAM_KEY, ...extra } })

  it.each([
    ['IPv4 loopback', () => `http://127.0.0.1:${port}/v1`],
    ['another loopback address', () => `http://127.8.9.10:${port}/v1`],
    ['IPv6 loopback', () => `http://[::1]:${port}/v1`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port}/v1`],
    ['loopback written as one number', () => `http://2130706433:${port}/v1`],
    ['loopback in hex', () => `http://0x7f.1:${port}/v1`],
    ['localhost', () => `http://localhost:${port}/v1`],
    ['the unspecified address', () => `http://0.0.0.0:${port}/v1`],
    ['a private address', () => 'http://10.0.0.7:11434/v1'],
    ['a private IPv6 address', () => 'http://[fd00::7]/v1'],
    ['the cloud metadata endpoint', () => 'http://169.254.169.254/latest/meta-data'],
    ['the GCP metadata name', () => 'http://metadata.google.internal/computeMetadata/v1'],
    ['a CGNAT address', () => 'http://100.64.0.1/v1'],
  ])('refuses %s as a personal base URL with 400', async (_what, url) => {
    const res = await createPersonal(url())
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'baseUrl', message: expect.stringMatching(/personal models may not reach/) })] })
  })

  it.each([
    ['a query string', () => `https://api.example.com/v1?x=`],
    ['a bare ?', () => `https://api.example.com/v1?`],
    ['a fragment', () => `https://api.example.com/v1#x`],
    ['user:password@', () => `https://u:p@api.example.com/v1`],
    ['another scheme', () => `file:///etc/passwd`],
  ])('refuses a base URL with %s (personal and system models)', async (_what, url) => {
    expect((await createPersonal(url())).status).toBe(400)
    const system = await t.request('POST', '/api/models/system', { token: admin, body: { providerKind: 'openai', displayName: 'sys', modelId: 'gpt-4o-mini', baseUrl: url() } })
    expect(system.status).toBe(400)
    expect(system.body.error.details[0].path).toBe('baseUrl')
  })

  it('refuses changing a personal base URL to a private address, and a ?query that would reach any path', async () => {
    const created = await createPersonal('https://api.openai.com/v1')
    expect(created.status).toBe(201)
    for (const baseUrl of [`http://127.0.0.1:${port}/v1`, `http://${'x'}.localhost/v1`, `http://127.0.0.1:${port}/anything?x=`]) {
      const res = await t.request('PATCH', `/api/models/${created.body.id}`, { token: user.token, body: { baseUrl } })
      expect(res.status, baseUrl).toBe(400)
    }
    await t.request('DELETE', `/api/models/${created.body.id}`, { token: user.token })
  })

  describe('a name that resolves to the local test upstream (checked when connecting)', () => {
    let openaiModel: string
    let anthropicModel: string
    let secret: string

    beforeAll(async () => {
      // Looks public to validation; resolves to 127.0.0.1 at connect time.
      const base = `http://upstream${REBIND}:${port}`
      const openai = await createPersonal(`${base}/v1`, { alias: 'rebind-openai' })
      expect(openai.status, JSON.stringify(openai.body)).toBe(201)
      openaiModel = openai.body.id
      const anthropic = await createPersonal(base, { providerKind: 'anthropic', modelId: 'claude-sonnet-4-5', alias: 'rebind-claude' })
      expect(anthropic.status, JSON.stringify(anthropic.body)).toBe(201)
      anthropicModel = anthropic.body.id
      secret = await platformKey(t, user.token)
    })

    it('chat: 403 OUTBOUND_ADDRESS_REFUSED naming the host (not the address), the reply stored as failed', async () => {
      const session = await t.request('POST', '/api/sessions', { token: user.token, body: { modelId: openaiModel } })
      const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId: session.body.id, content: 'hi' } })
      expect(res.status).toBe(403)
      expect(res.body.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_REFUSED', message: `The model's endpoint may not be reached from this server: upstream${REBIND} resolves to a loopback address, which personal models may not reach` })
      expect(res.body.error.message).not.toContain('127.0.0.1')
      const messages = (await t.request('GET', `/api/sessions/${session.body.id}/messages`, { token: user.token })).body.items
      expect(messages[1]).toMatchObject({ status: 'error', errorCode: 'OUTBOUND_ADDRESS_REFUSED', content: '' })
    })

    it('relay, same dialect (pass-through) and translated, streamed or not: 403 in the client dialect, never retried', async () => {
      for (const [model, stream] of [['rebind-openai', false], ['rebind-openai', true], ['rebind-claude', false], ['rebind-claude', true]] as const) {
        const res = await relay(t, secret, model, stream)
        expect(res.status, `${model} stream=${stream}`).toBe(403)
        expect(res.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'outbound_address_refused', message: expect.stringContaining(`upstream${REBIND}`) } })
      }
      const anthropicClient = await t.request('POST', '/v1/messages', {
        headers: { 'x-api-key': secret, 'anthropic-version': '2023-06-01' },
        body: { model: 'rebind-claude', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
      })
      expect(anthropicClient.status).toBe(403)
      expect(anthropicClient.body).toMatchObject({ type: 'error', error: { type: 'permission_error' } })
    })

    it('the model test and a verified key rotation: 403 OUTBOUND_ADDRESS_REFUSED in the usual envelope', async () => {
      for (const id of [openaiModel, anthropicModel]) {
        const res = await t.request('POST', `/api/models/${id}/test`, { token: user.token })
        expect(res.status).toBe(403)
        expect(res.body.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_REFUSED', message: expect.stringContaining(`upstream${REBIND}`), requestId: expect.any(String) })
      }
      const rotated = await t.request('POST', `/api/models/${openaiModel}/api-key`, { token: user.token, body: { apiKey: 'sk-another-key-0123456789', verify: true } })
      expect(rotated.status).toBe(403)
      expect(rotated.body.error.code).toBe('OUTBOUND_ADDRESS_REFUSED')
    })
  })

  it('a personal model stored with a loopback URL before the policy is refused when it connects', async () => {
    const created = await createPersonal('https://api.openai.com/v1')
    // As if written before the policy existed (or by a path that skipped validation).
    await resolve(t.container, ModelConfigRepository).update(created.body.id, { baseUrl: `http://127.0.0.1:${port}/v1` })
    const res = await t.request('POST', `/api/models/${created.body.id}/test`, { token: user.token })
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({ code: 'OUTBOUND_ADDRESS_REFUSED', message: expect.stringContaining('127.0.0.1 is a loopback address') })
  })

  it('system models (admins) reach the local upstream: chat, the model test and the relay work', async () => {
    const sys = await t.request('POST', '/api/models/system', {
      token: admin,
      body: { providerKind: 'openai', displayName: 'local', modelId: 'gpt-4o-mini', alias: 'local-sys', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: UPSTREAM_KEY },
    })
    expect(sys.status, JSON.stringify(sys.body)).toBe(201)
    expect((await t.request('POST', `/api/models/${sys.body.id}/test`, { token: admin })).body).toEqual({ ok: true, latencyMs: expect.any(Number) })
    const session = await t.request('POST', '/api/sessions', { token: user.token, body: { modelId: sys.body.id } })
    const chat = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId: session.body.id, content: 'hi' } })
    expect(chat.body.status).toBe('complete')
    const res = await relay(t, await platformKey(t, user.token), 'local-sys')
    expect(res.status).toBe(200)
    expect(upstream.requests).toHaveLength(3)
    upstream.reset() // these were expected
  })
})

describe('SSRF: what the admin allows', () => {
  let upstream: Upstream
  let port: number
  const apps: TestApp[] = []
  beforeAll(async () => {
    upstream = await startUpstream()
    port = Number(new URL(upstream.url).port)
  })
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()))
    await upstream.close()
  })

  async function appWith(env: Record<string, string>) {
    const t = await createTestApp({ env })
    apps.push(t)
    return { t, user: await t.registerUser('owner') }
  }

  async function chatThrough(t: TestApp, token: string, baseUrl: string) {
    const model = await t.request('POST', '/api/models', { token, body: { providerKind: 'openai', displayName: 'local', modelId: 'gpt-4o-mini', baseUrl, apiKey: UPSTREAM_KEY } })
    if (model.status !== 201) return { created: model.status }
    const session = await t.request('POST', '/api/sessions', { token, body: { modelId: model.body.id } })
    const chat = await t.request('POST', '/api/chat', { token, body: { sessionId: session.body.id, content: 'hi' } })
    return { created: 201, status: chat.body.status }
  }

  it('OUTBOUND_ALLOW_PRIVATE=true: personal models reach 127.0.0.1 and localhost, never the metadata endpoint', async () => {
    const { t, user } = await appWith({ OUTBOUND_ALLOW_PRIVATE: 'true' })
    upstream.reset()
    expect(await chatThrough(t, user.token, `http://127.0.0.1:${port}/v1`)).toEqual({ created: 201, status: 'complete' })
    expect(await chatThrough(t, user.token, `http://localhost:${port}/v1`)).toEqual({ created: 201, status: 'complete' })
    expect(await chatThrough(t, user.token, 'http://169.254.169.254/v1')).toEqual({ created: 400 })
    expect(upstream.requests).toHaveLength(2)
  })

  it('OUTBOUND_ALLOWED_HOSTS: the listed IP is reachable, an unlisted loopback form is not', async () => {
    const { t, user } = await appWith({ OUTBOUND_ALLOW_PRIVATE: 'false', OUTBOUND_ALLOWED_HOSTS: 'ollama.lan, 127.0.0.1' })
    upstream.reset()
    expect(await chatThrough(t, user.token, `http://127.0.0.1:${port}/v1`)).toEqual({ created: 201, status: 'complete' })
    expect(await chatThrough(t, user.token, `http://[::1]:${port}/v1`)).toEqual({ created: 400 })
    expect(await chatThrough(t, user.token, `http://localhost:${port}/v1`)).toEqual({ created: 400 })
    expect(upstream.requests).toHaveLength(1)
  })

  it('refuses to start with a malformed allow-list entry, naming it', async () => {
    await expect(createTestApp({ env: { OUTBOUND_ALLOWED_HOSTS: 'ok.example, http://bad/' } })).rejects.toThrow(/OUTBOUND_ALLOWED_HOSTS: "http:\/\/bad\/"/)
  })
})

describe('the model test never echoes an upstream body', () => {
  const SECRET = 'DATABASE_PASSWORD=hunter2-internal'
  let server: Server
  let seen = 0
  let answer: { status: number; type: string; body: string }
  let t: TestApp
  let token: string
  let modelId: string

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen++
      req.resume()
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body)
    })
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    t = await createTestApp() // private addresses allowed, as an admin running a local server would
    const user = await t.registerUser('prober')
    token = user.token
    const port = (server.address() as AddressInfo).port
    const model = await t.request('POST', '/api/models', { token, body: { providerKind: 'openai', displayName: 'x', modelId: 'gpt-4o-mini', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: UPSTREAM_KEY } })
    modelId = model.body.id
  })
  afterAll(async () => {
    await t.close()
    await new Promise((done) => server.close(done))
  })

  it.each([
    ['an HTML page', { status: 500, type: 'text/html', body: `<html><body><h1>Internal Server Error</h1><pre>${SECRET}</pre></body></html>` }, { status: 500, code: 'PROVIDER_UNAVAILABLE' }],
    ['plain text', { status: 404, type: 'text/plain', body: `Not found. ${SECRET}` }, { status: 404, code: 'PROVIDER_BAD_REQUEST' }],
    [
      "the provider's JSON error format",
      { status: 401, type: 'application/json', body: JSON.stringify({ error: { message: `Incorrect API key: ${SECRET}`, type: 'invalid_request_error', code: 'invalid_api_key' } }) },
      { status: 401, code: 'PROVIDER_AUTH_FAILED', providerCode: 'invalid_api_key' },
    ],
    [
      'a JSON error whose code is prose',
      { status: 503, type: 'application/json', body: JSON.stringify({ error: { message: 'x', code: `<b>${SECRET}</b> and more` } }) },
      { status: 503, code: 'PROVIDER_UNAVAILABLE' },
    ],
  ])('%s: reports status and code only', async (_what, reply, expected) => {
    answer = reply
    const before = seen
    const res = await t.request('POST', `/api/models/${modelId}/test`, { token })
    expect(res.status).toBe(200)
    expect(seen - before).toBeGreaterThanOrEqual(1)
    expect(res.body).toEqual({ ok: false, latencyMs: expect.any(Number), error: { message: expect.any(String), ...expected } })
    expect(JSON.stringify(res.body)).not.toContain('hunter2')
    expect(res.body.error.message).toContain(`HTTP ${expected.status}`)
    expect(res.body.error.message).not.toMatch(/<|Incorrect|Not found/)
  })
})
