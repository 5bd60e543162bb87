import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

/** The console's static files and the browser's cookie mode of the auth routes (dist/web is built by global-setup). */
describe('web console serving', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.close())

  it('serves index.html at / and for client routes, no-cache, with a strict CSP', async () => {
    for (const path of ['/', '/chat', '/chat/some-id', '/admin/users']) {
      const res = await t.request('GET', path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
      expect(String(res.body)).toMatch(/<script type="module" src="\/assets\/app-[A-Z0-9]+\.js">/)
    }
  })

  it('serves hashed assets with a year-long immutable cache, gzipped when asked, 304 on a matching etag', async () => {
    const html = String((await t.request('GET', '/')).body)
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)![1]!
    const res = await t.request('GET', js, { headers: { 'accept-encoding': 'gzip' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect((await t.request('GET', css)).headers.get('content-type')).toMatch(/^text\/css/)
    const again = await t.request('GET', js, { headers: { 'if-none-match': res.headers.get('etag')! } })
    expect(again.status).toBe(304)
  })

  it('leaves the API alone: unknown API paths, missing files and non-GET methods keep the JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['GET', '/v1/nothing'],
      ['GET', '/assets/missing-123.js'],
      ['GET', '/favicon.ico'],
      ['POST', '/'],
      ['DELETE', '/chat'],
    ] as const) {
      const res = await t.request(method, path)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.headers.get('content-type'), `${method} ${path}`).toMatch(/^application\/json/)
      expect(res.body.error, `${method} ${path}`).toBeDefined()
    }
    expect((await t.request('GET', '/api/info')).body.name).toBeDefined()
    expect((await t.request('GET', '/openapi.json')).body.openapi).toBe('3.1.0')
  })
})

describe('refresh token in a cookie (x-refresh-cookie: 1)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.close())

  const cookieOf = (headers: Headers) => headers.get('set-cookie') ?? ''
  const tokenIn = (setCookie: string) => /chatbase_refresh=([^;]*)/.exec(setCookie)?.[1]

  it('login sets an httpOnly SameSite=Strict cookie on the refresh path and leaves the token out of the body', async () => {
    await t.registerUser('cookie-user', 'cookie user password')
    const res = await t.request('POST', '/api/auth/login', { headers: { 'x-refresh-cookie': '1' }, body: { username: 'cookie-user', password: 'cookie user password' } })
    expect(res.status).toBe(200)
    expect(res.body.refreshToken).toBeUndefined()
    expect(res.body.accessToken).toMatch(/^eyJ/)
    const cookie = cookieOf(res.headers)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\/api\/auth\/refresh/)
    expect(cookie).not.toMatch(/Secure/) // plain http here
    expect(tokenIn(cookie)).toMatch(/^rt_/)
  })

  it('refresh reads the cookie only with the header, rotates it, and clears it when refused', async () => {
    const login = await t.request('POST', '/api/auth/login', { headers: { 'x-refresh-cookie': '1' }, body: { username: 'cookie-user', password: 'cookie user password' } })
    const first = tokenIn(cookieOf(login.headers))!
    const withoutHeader = await t.request('POST', '/api/auth/refresh', { headers: { cookie: `chatbase_refresh=${first}` } })
    expect(withoutHeader.status).toBe(401)
    const refreshed = await t.request('POST', '/api/auth/refresh', { headers: { cookie: `chatbase_refresh=${first}`, 'x-refresh-cookie': '1' } })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refreshToken).toBeUndefined()
    const second = tokenIn(cookieOf(refreshed.headers))!
    expect(second).toMatch(/^rt_/)
    expect(second).not.toBe(first)
    const bogus = await t.request('POST', '/api/auth/refresh', { headers: { cookie: 'chatbase_refresh=rt_bogus', 'x-refresh-cookie': '1' } })
    expect(bogus.status).toBe(401)
    expect(cookieOf(bogus.headers)).toMatch(/chatbase_refresh=;.*Max-Age=0/)
  })

  it('is Secure behind a trusted https proxy only', async () => {
    const trusted = await createTestApp({ env: { TRUST_PROXY: 'true' } })
    try {
      await trusted.registerUser('proxied', 'proxied user password')
      const res = await trusted.request('POST', '/api/auth/login', {
        headers: { 'x-refresh-cookie': '1', 'x-forwarded-proto': 'https' },
        body: { username: 'proxied', password: 'proxied user password' },
      })
      expect(cookieOf(res.headers)).toMatch(/; Secure/)
    } finally {
      await trusted.close()
    }
    const untrusted = await t.request('POST', '/api/auth/login', {
      headers: { 'x-refresh-cookie': '1', 'x-forwarded-proto': 'https' },
      body: { username: 'cookie-user', password: 'cookie user password' },
    })
    expect(cookieOf(untrusted.headers)).not.toMatch(/Secure/)
  })

  it('API clients keep the JSON body: refreshToken in and out, no cookie', async () => {
    const res = await t.request('POST', '/api/auth/login', { body: { username: 'cookie-user', password: 'cookie user password' } })
    expect(res.body.refreshToken).toMatch(/^rt_/)
    expect(res.headers.get('set-cookie')).toBeNull()
    const refreshed = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: res.body.refreshToken } })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refreshToken).toMatch(/^rt_/)
  })

  it('logout clears the cookie', async () => {
    const login = await t.request('POST', '/api/auth/login', { headers: { 'x-refresh-cookie': '1' }, body: { username: 'cookie-user', password: 'cookie user password' } })
    const out = await t.request('POST', '/api/auth/logout', { token: login.body.accessToken })
    expect(out.status).toBe(204)
    expect(cookieOf(out.headers)).toMatch(/chatbase_refresh=;.*Max-Age=0/)
  })
})
