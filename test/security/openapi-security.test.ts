// The authorization rules read from /openapi.json itself, so a new route cannot skip them: every
// route of the app is documented, every documented route declares who may call it, and every route
// that declares a security scheme refuses a caller without credentials (or with forged ones).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

/** Routes anyone may call, on purpose. */
const PUBLIC = new Set(['GET /health', 'GET /ready', 'GET /api/info', 'GET /openapi.json', 'POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/refresh'])
const FORGED = ['Bearer not-a-jwt', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.', 'Basic YWRtaW46YWRtaW4=', 'Bearer ']

/** Gemini's own refusals: 403 PERMISSION_DENIED without a key, 400 API_KEY_INVALID with one it does not know. */
const refusedAsGemini = (res: { status: number; body: any }): boolean =>
  (res.status === 403 && res.body?.error?.status === 'PERMISSION_DENIED') ||
  (res.status === 400 && res.body?.error?.details?.some((d: { reason?: string }) => d.reason === 'API_KEY_INVALID'))

describe('authorization declared in /openapi.json and enforced', () => {
  let t: TestApp
  let doc: any
  const operations: Array<{ route: string; path: string; method: string; secured: boolean }> = []

  beforeAll(async () => {
    t = await createTestApp()
    doc = (await t.request('GET', '/openapi.json')).body
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        const security = op.security ?? doc.security ?? []
        operations.push({ route: `${method.toUpperCase()} ${path}`, path, method: method.toUpperCase(), secured: security.length > 0 })
      }
    }
  })
  afterAll(() => t?.close())

  it('documents every route the app serves', () => {
    const served = [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}')}`))]
    const documented = new Set(operations.map((o) => o.route))
    expect(served.filter((route) => !documented.has(route) && route !== 'GET /openapi.json')).toEqual([])
  })

  it('declares a security scheme on every route that is not public on purpose', () => {
    expect(operations.filter((o) => !o.secured && !PUBLIC.has(o.route)).map((o) => o.route)).toEqual([])
  })

  it('refuses a caller without credentials, or with forged ones, on every secured route', async () => {
    const leaks: string[] = []
    for (const op of operations.filter((o) => o.secured)) {
      const path = op.path.replace(/\{[^}]+\}/g, 'x')
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : {}
      for (const authorization of [undefined, ...FORGED]) {
        const headers: Record<string, string> = authorization ? { authorization } : {}
        const gemini = op.path.startsWith('/v1beta/')
        if (op.path.startsWith('/v1') && authorization) headers[gemini ? 'x-goog-api-key' : 'x-api-key'] = authorization.replace(/^\w+ ?/, '')
        const res = await t.request(op.method, path, { headers, body })
        if (gemini ? !refusedAsGemini(res) : res.status !== 401) leaks.push(`${op.route} with ${authorization ?? 'nothing'} -> ${res.status}`)
      }
    }
    expect(leaks).toEqual([])
  })

  it('ignores a stray Authorization header on the public reads', async () => {
    for (const route of ['GET /health', 'GET /ready', 'GET /api/info', 'GET /openapi.json']) {
      for (const authorization of FORGED) {
        const res = await t.request('GET', route.split(' ')[1]!, { headers: { authorization } })
        expect(res.status, `${route} with ${authorization}`).toBe(200)
      }
    }
  })

  it('ignores a stray or stale Authorization header on login, register and refresh', async () => {
    const stale = await t.registerUser('stray-header')
    await t.request('POST', '/api/auth/logout', { token: stale.token })
    for (const authorization of [...FORGED, `Bearer ${stale.token}`]) {
      const headers = { authorization }
      const n = FORGED.indexOf(authorization)
      const username = `stray${n < 0 ? 'stale' : n}`
      const registered = await t.request('POST', '/api/auth/register', { headers, body: { username, password: `${username} password` } })
      expect(registered.status, `register with ${authorization}`).toBe(201)
      const login = await t.request('POST', '/api/auth/login', { headers, body: { username, password: `${username} password` } })
      expect(login.status, `login with ${authorization}`).toBe(200)
      const refreshed = await t.request('POST', '/api/auth/refresh', { headers, body: { refreshToken: login.body.refreshToken } })
      expect(refreshed.status, `refresh with ${authorization}`).toBe(200)
      // The header was ignored, not trusted: the new session is the new user's.
      expect((await t.request('GET', '/api/auth/me', { token: refreshed.body.accessToken })).body.username).toBe(username)
      // ...and on a secured route the same header is still refused.
      expect((await t.request('GET', '/api/auth/me', { headers })).status).toBe(401)
    }
  })
})
