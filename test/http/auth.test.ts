import jwt from 'jsonwebtoken'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, createTestApp, type TestApp } from '../support/test-app.ts'

describe.each(['sqlite', 'postgres'] as const)('auth over HTTP on %s', (kind) => {
  let t: TestApp
  beforeAll(async () => {
    // No reuse grace window here, so an immediate replay is a replay (refresh-race.test.ts covers the window).
    t = await createTestApp({ kind, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } })
  })
  afterAll(() => t.close())

  it('registers, logs in, refreshes, detects a replayed refresh token and logs out', async () => {
    const reg = await t.request('POST', '/api/auth/register', { body: { username: 'alice', password: 'correct horse' } })
    expect(reg.status).toBe(201)
    expect(reg.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { username: 'alice', role: 'USER' } })
    expect(reg.body.user).not.toHaveProperty('passwordHash')

    const login = await t.request('POST', '/api/auth/login', { body: { username: 'ALICE', password: 'correct horse' } })
    expect(login.status).toBe(200)
    const me = await t.request('GET', '/api/auth/me', { token: login.body.accessToken })
    expect(me.body).toMatchObject({ username: 'alice' })

    const rotated = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } })
    expect(rotated.status).toBe(200)
    expect(rotated.body.refreshToken).not.toBe(login.body.refreshToken)

    const replay = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: login.body.refreshToken } })
    expect(replay.status).toBe(401)
    expect(replay.body.error.message).toMatch(/already used/)
    expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } })).status).toBe(401)
    expect((await t.request('GET', '/api/auth/me', { token: rotated.body.accessToken })).status).toBe(401)

    // The registration login is another family and still works until it logs out.
    expect((await t.request('GET', '/api/auth/me', { token: reg.body.accessToken })).status).toBe(200)
    expect((await t.request('POST', '/api/auth/logout', { token: reg.body.accessToken })).status).toBe(204)
    expect((await t.request('GET', '/api/auth/me', { token: reg.body.accessToken })).status).toBe(401)
    expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: reg.body.refreshToken } })).status).toBe(401)
  })

  it.each([
    ['a missing field', { username: 'bob' }, 'password'],
    ['a wrong type', { username: 'bob', password: 12345678 }, 'password'],
    ['an unknown field', { username: 'bob', password: 'correct horse', admin: true }, ''],
  ])('answers %s with 400 and field details', async (_what, body, path) => {
    const res = await t.request('POST', '/api/auth/register', { body })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', requestId: res.headers.get('x-request-id') })
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'json', path })]))
    expect((await t.request('POST', '/api/auth/login', { body: { username: 'bob', password: 'correct horse' } })).status).toBe(401)
  })

  it('answers invalid JSON, a too-large body and a duplicate username clearly', async () => {
    const bad = await t.request('POST', '/api/auth/login', { rawBody: '{"username":', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_JSON')
    const huge = await t.request('POST', '/api/auth/login', { body: { username: 'x', password: 'y'.repeat(2 * 1024 * 1024) } })
    expect(huge.status).toBe(413)
    expect(huge.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    await t.registerUser('carol')
    const dup = await t.request('POST', '/api/auth/register', { body: { username: 'Carol', password: 'other password' } })
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('CONFLICT')
    expect((await t.login('carol', 'carol password')).length).toBeGreaterThan(20)
  })

  it('explains a password over 72 bytes instead of truncating it', async () => {
    const res = await t.request('POST', '/api/auth/register', { body: { username: 'dave', password: 'ü'.repeat(40) } })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('72 bytes')
  })

  it('throttles repeated failures with 429 and retry-after', async () => {
    await t.registerUser('erin')
    const statuses: number[] = []
    let last
    for (let i = 0; i < 6; i++) {
      last = await t.request('POST', '/api/auth/login', { body: { username: 'erin', password: 'wrong password' } })
      statuses.push(last.status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]) // five tries from one address, then a wait
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(last!.body.error.code).toBe('RATE_LIMITED')
  })

  it('says clearly when an access token expired, and rejects other algorithms', async () => {
    const secret = 'test-jwt-secret-that-is-long-enough-0123456789'
    const claims = { name: 'admin', role: 'ADMIN', ver: 0, fam: 'f' }
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { issuer: 'chatbase', audience: 'chatbase-api', subject: 'x' })
    const res = await t.request('GET', '/api/auth/me', { token: expired })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('TOKEN_EXPIRED')
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x', iss: 'chatbase', aud: 'chatbase-api' })).toString('base64url')}.`
    expect((await t.request('GET', '/api/auth/me', { token: unsigned })).status).toBe(401)
    const wrongAudience = jwt.sign(claims, secret, { issuer: 'chatbase', audience: 'someone-else', subject: 'x' })
    expect((await t.request('GET', '/api/auth/me', { token: wrongAudience })).status).toBe(401)
    expect((await t.request('GET', '/api/auth/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401)
  })

  it('stops a disabled user at once and lets an admin reset their password', async () => {
    const frank = await t.registerUser('frank')
    const admin = await t.adminToken()
    expect((await t.request('PATCH', `/api/users/${frank.id}`, { token: admin, body: { disabled: true } })).status).toBe(200)
    expect((await t.request('GET', '/api/auth/me', { token: frank.token })).status).toBe(401)
    expect((await t.request('PATCH', `/api/users/${frank.id}`, { token: admin, body: { disabled: false } })).status).toBe(200)
    const reset = await t.request('POST', `/api/users/${frank.id}/password`, { token: admin, body: { newPassword: 'temporary pass' } })
    expect(reset.body.mustChangePassword).toBe(true)
    const temp = await t.login('frank', 'temporary pass')
    const blocked = await t.request('GET', '/api/settings', { token: temp })
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    const changed = await t.request('POST', '/api/auth/password', { token: temp, body: { currentPassword: 'temporary pass', newPassword: 'frank chose this' } })
    expect(changed.status).toBe(200)
    expect((await t.request('GET', '/api/settings', { token: changed.body.accessToken })).status).toBe(200)
  })

  it('follows the registration policy and mode from system settings without a restart', async () => {
    const admin = await t.adminToken()
    const close = await t.request('PATCH', '/api/settings/system', { token: admin, body: { registration: 'closed' } })
    expect(close.status).toBe(200)
    expect((await t.request('POST', '/api/auth/register', { body: { username: 'gina', password: 'correct horse' } })).status).toBe(403)
    await t.request('PATCH', '/api/settings/system', { token: admin, body: { registration: 'open', mode: 'single-user' } })
    const single = await t.request('POST', '/api/auth/register', { body: { username: 'gina', password: 'correct horse' } })
    expect(single.status).toBe(403)
    expect(single.body.error.message).toMatch(/single-user/)
    expect((await t.request('GET', '/api/info')).body.mode).toBe('single-user')
    await t.request('PATCH', '/api/settings/system', { token: admin, body: { mode: 'multi-user' } })
    expect((await t.request('POST', '/api/auth/register', { body: { username: 'gina', password: 'correct horse' } })).status).toBe(201)
  })

  it('never writes passwords or tokens to the log', async () => {
    const session = await t.request('POST', '/api/auth/login', { body: { username: ADMIN.username, password: ADMIN.password } })
    await t.request('GET', '/api/auth/me', { token: session.body.accessToken })
    await t.request('POST', '/api/auth/refresh', { body: { refreshToken: session.body.refreshToken } })
    const logs = t.logs.join('')
    expect(logs).toContain('"route":"/api/auth/me"')
    for (const secret of [ADMIN.password, session.body.accessToken, session.body.refreshToken, 'correct horse']) {
      expect(logs).not.toContain(secret)
    }
  })
})
