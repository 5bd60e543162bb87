import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

describe('POST /api/users (admin creates a user)', () => {
  let t: TestApp
  let admin: string
  beforeAll(async () => {
    t = await createTestApp({ env: { APP_MODE: 'single-user' } })
    admin = await t.adminToken()
  })
  afterAll(() => t?.close())

  it('creates a user who must choose a new password at first login, with registration closed', async () => {
    const res = await t.request('POST', '/api/users', { token: admin, body: { username: 'newbie', password: 'initial password 1' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ username: 'newbie', role: 'USER', mustChangePassword: true, disabled: false })
    expect(JSON.stringify(res.body)).not.toContain('initial password 1')
    const login = await t.request('POST', '/api/auth/login', { body: { username: 'newbie', password: 'initial password 1' } })
    expect(login.status).toBe(200)
    expect(login.body.user.mustChangePassword).toBe(true)
    expect((await t.request('GET', '/api/sessions', { token: login.body.accessToken })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    const audit = await t.request('GET', '/api/audit?action=user.created', { token: admin })
    expect(audit.body.items.map((e: any) => e.targetId)).toContain(res.body.id)
  })

  it('creates an admin without the first-login change when asked', async () => {
    const res = await t.request('POST', '/api/users', { token: admin, body: { username: 'second-admin', password: 'second admin password', role: 'ADMIN', mustChangePassword: false } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ role: 'ADMIN', mustChangePassword: false })
  })

  it('refuses a duplicate username (409), a weak password (400 naming it), and non-admins (403)', async () => {
    const dup = await t.request('POST', '/api/users', { token: admin, body: { username: 'newbie', password: 'another password 1' } })
    expect(dup.status).toBe(409)
    const weak = await t.request('POST', '/api/users', { token: admin, body: { username: 'weakling', password: 'password123' } })
    expect(weak.status).toBe(400)
    expect(weak.body.error.details.map((d: any) => d.path)).toContain('password')
    const user = await t.request('POST', '/api/auth/login', { body: { username: 'second-admin', password: 'second admin password' } })
    await t.request('PATCH', `/api/users/${user.body.user.id}`, { token: admin, body: { role: 'USER' } })
    const asUser = await t.request('POST', '/api/auth/login', { body: { username: 'second-admin', password: 'second admin password' } })
    const refused = await t.request('POST', '/api/users', { token: asUser.body.accessToken, body: { username: 'sneaky', password: 'sneaky password 1' } })
    expect(refused.status).toBe(403)
  })
})
