import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { DEFAULT_TEXT, startUpstream, type Upstream } from '../support/upstream/server.ts'
import { CODE_ASSIST_PROJECT } from '../support/upstream/code-assist.ts'

const GOOGLE_SECRET = 'test-google-client-secret'

/**
 * The OAuth sign-in of upstream accounts over HTTP, against a real authorization server: authorize,
 * sign in (the server issues a code for the URL's challenge), paste back, and use the account.
 */
describe('OAuth sign-in of upstream accounts over HTTP', () => {
  let t: TestApp
  let oauth: OAuthServer
  let upstream: Upstream
  let admin: string
  const bodies: string[] = []

  const post = async (path: string, body: unknown, token = admin) => {
    const res = await t.request('POST', path, { token, body })
    bodies.push(JSON.stringify(res.body))
    return res
  }
  const authorize = async (body: Record<string, unknown> = { providerKind: 'anthropic' }) => {
    const res = await post('/api/admin/accounts/oauth/authorize', body)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const url = new URL(res.body.authorizeUrl)
    const state = url.searchParams.get('state')!
    // What the user's sign-in at the provider gives back for this flow's challenge.
    const code = oauth.issueCode({ challenge: url.searchParams.get('code_challenge')!, state })
    return { flowId: res.body.flowId as string, state, code, url }
  }
  const accountCount = async () => (await t.request('GET', '/api/admin/accounts', { token: admin })).body.items.length as number

  beforeAll(async () => {
    oauth = await startOAuthServer({ clientSecret: GOOGLE_SECRET })
    upstream = await startUpstream({ acceptsAccessToken: (token) => oauth.isValidAccessToken(token) })
    t = await createTestApp({
      env: {
        ANTHROPIC_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
        ANTHROPIC_OAUTH_TOKEN_URL: oauth.tokenUrl,
        GOOGLE_OAUTH_AUTHORIZE_URL: oauth.authorizeUrl,
        GOOGLE_OAUTH_TOKEN_URL: oauth.tokenUrl,
        GOOGLE_OAUTH_CLIENT_SECRET: GOOGLE_SECRET,
        UPSTREAM_HEADERS_TIMEOUT_MS: '800',
        OAUTH_SWEEP_INTERVAL_S: '0',
      },
    })
    admin = await t.adminToken()
  })
  beforeEach(() => {
    oauth.mode = 'ok'
    upstream.reset()
  })
  afterAll(async () => {
    await t?.close()
    await Promise.all([oauth?.close(), upstream?.close()])
  })

  it('authorize gives a PKCE S256 URL of the configured endpoint with the public client', async () => {
    const { url } = await authorize()
    expect(`${url.origin}${url.pathname}`).toBe(oauth.authorizeUrl)
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code', code: 'true', client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e', code_challenge_method: 'S256', scope: 'user:profile user:inference',
    })
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it.each([
    ['the bare code', (f: { code: string; state: string }) => ({ code: f.code })],
    ['code#state', (f: { code: string; state: string }) => ({ code: `${f.code}#${f.state}` })],
    ['the callback URL', (f: { code: string; state: string }) => ({ callbackUrl: `https://platform.claude.com/oauth/code/callback?code=${f.code}&state=${f.state}` })],
  ])('exchange with %s creates an OAuth account that chats through the bearer token', async (_what, pasted) => {
    const flow = await authorize({ providerKind: 'anthropic', name: 'claude team' })
    const before = oauth.calls.authorization_code
    const res = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, ...pasted(flow), baseUrl: upstream.url })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ name: 'claude team', providerKind: 'anthropic', authType: 'oauth', status: 'active', scopes: 'user:profile user:inference' })
    expect(oauth.calls.authorization_code - before).toBe(1)

    const model = await post('/api/models/system', { providerKind: 'anthropic', displayName: 'claude', modelId: 'claude-sonnet-4-5', accountIds: [res.body.id] })
    const session = await post('/api/sessions', { modelId: model.body.id })
    const reply = await post('/api/chat', { sessionId: session.body.id, content: 'hi' })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.content).toBe(DEFAULT_TEXT)
    const sent = upstream.requests[0]!.headers
    expect(sent['x-api-key']).toBeUndefined()
    expect(String(sent.authorization)).toMatch(/^Bearer oat-/)
    expect(String(sent['anthropic-beta'])).toContain('oauth-2025-04-20')
    expect((await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: flow.code })).status).toBe(404)
  })

  it('an access token the upstream refuses (401) is refreshed once and the same request retried', async () => {
    const flow = await authorize()
    const account = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: flow.code, baseUrl: upstream.url })
    const model = await post('/api/models/system', { providerKind: 'anthropic', displayName: 'revoked', modelId: 'claude-sonnet-4-5', accountIds: [account.body.id] })
    const session = await post('/api/sessions', { modelId: model.body.id })
    oauth.revokeAccessTokens() // not expired by the clock: only the 401 tells
    const refreshes = oauth.calls.refresh_token
    const reply = await post('/api/chat', { sessionId: session.body.id, content: 'hi' })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(oauth.calls.refresh_token - refreshes).toBe(1)
    const [refused, retried] = upstream.requests.map((r) => String(r.headers.authorization))
    expect(upstream.requests).toHaveLength(2)
    expect(retried).not.toBe(refused)
    expect((await t.request('GET', `/api/admin/accounts/${account.body.id}`, { token: admin })).body.status).toBe('active')
  })

  it('a Gemini sign-in finds its Code Assist project and chats through Code Assist', async () => {
    const flow = await authorize({ providerKind: 'gemini' })
    const res = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: flow.code, baseUrl: upstream.url })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ providerKind: 'gemini', authType: 'oauth', projectId: CODE_ASSIST_PROJECT })
    const model = await post('/api/models/system', { providerKind: 'gemini', displayName: 'gemini', modelId: 'gemini-2.5-flash', accountIds: [res.body.id] })
    const session = await post('/api/sessions', { modelId: model.body.id })
    const reply = await post('/api/chat', { sessionId: session.body.id, content: 'hi' })
    expect(reply.status, JSON.stringify(reply.body)).toBe(200)
    expect(reply.body.content).toBe(DEFAULT_TEXT)
    expect(upstream.requests.map((r) => r.path)).toEqual(['/v1internal:loadCodeAssist', '/v1internal:streamGenerateContent?alt=sse'])
    expect(upstream.requests[1]!.body).toMatchObject({ model: 'gemini-2.5-flash', project: CODE_ASSIST_PROJECT, request: { contents: expect.any(Array) } })
  })

  it('bad pastes are 400s that keep the flow; an unknown flow is 404; nothing is created', async () => {
    const count = await accountCount()
    const flow = await authorize()
    for (const bad of [
      { code: `${flow.code}#another-state` },
      { callbackUrl: `https://platform.claude.com/oauth/code/callback?state=${flow.state}` },
      { callbackUrl: 'not a url' },
    ]) {
      const res = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, ...bad })
      expect(res.status, JSON.stringify(bad)).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION_FAILED')
    }
    expect((await post('/api/admin/accounts/oauth/exchange', { flowId: 'no-such-flow', code: 'c' })).status).toBe(404)
    expect((await post('/api/admin/accounts/oauth/authorize', { providerKind: 'anthropic', proxyUrl: 'ftp://nope' })).status).toBe(400)
    expect(await accountCount()).toBe(count)
    expect((await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: flow.code })).status).toBe(201)
  })

  it.each([
    ['a wrong code (invalid_grant)', 'ok', 400, 'OAUTH_INVALID_GRANT'],
    ['an HTML answer', 'html', 502, 'OAUTH_ENDPOINT_FAILED'],
    ['a 500', 'error500', 502, 'OAUTH_ENDPOINT_FAILED'],
    ['no answer', 'hang', 504, 'OAUTH_ENDPOINT_TIMEOUT'],
  ] as const)('the token endpoint giving %s is a coded error, and no account is created', async (_what, mode, status, code) => {
    const count = await accountCount()
    const flow = await authorize()
    oauth.mode = mode
    const res = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: mode === 'ok' ? 'code-that-was-never-issued' : flow.code })
    expect(res.status, JSON.stringify(res.body)).toBe(status)
    expect(res.body.error.code).toBe(code)
    expect(await accountCount()).toBe(count)
  })

  it('a flow behind a dead proxy never reaches the token endpoint directly', async () => {
    const flow = await authorize({ providerKind: 'anthropic', proxyUrl: 'socks5://user:secret-proxy-pw@127.0.0.1:1' })
    const before = oauth.calls.authorization_code
    const res = await post('/api/admin/accounts/oauth/exchange', { flowId: flow.flowId, code: flow.code })
    expect(res.status).toBe(502)
    expect(res.body.error).toMatchObject({ code: 'OAUTH_ENDPOINT_FAILED', message: expect.stringMatching(/proxy/i) })
    expect(oauth.calls.authorization_code).toBe(before)
    expect(JSON.stringify(res.body)).not.toContain('secret-proxy-pw')
  })

  it('no token or proxy password in any response or log', () => {
    const logs = t.logs.join('')
    for (const text of [...bodies, logs]) {
      expect(text).not.toMatch(/oat-[A-Za-z0-9_-]{20}|ort-[A-Za-z0-9_-]{20}/)
      expect(text).not.toContain('secret-proxy-pw')
    }
  })
})
