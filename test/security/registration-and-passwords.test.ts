import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startReplicas, type Replica } from '../integration/redis/replicas.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

const register = (t: Pick<TestApp, 'request'>, username: string, address: string, password = `${username} password 1`) =>
  t.request('POST', '/api/auth/register', { body: { username, password }, headers: { 'x-forwarded-for': address } })

describe('registrations per client address (in process)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_PER_HOUR: '3', TRUST_PROXY: 'true' } })
  })
  afterAll(() => t?.close())

  it('accepts the hourly allowance per address, then 429 with retry-after; other addresses go on', async () => {
    for (const name of ['reg1', 'reg2']) expect((await register(t, name, '203.0.113.10')).status).toBe(201)
    // A refused password costs nothing from the allowance.
    expect((await register(t, 'reg3', '203.0.113.10', 'password123')).status).toBe(400)
    expect((await register(t, 'reg3', '203.0.113.10')).status).toBe(201)
    const refused = await register(t, 'reg4', '203.0.113.10')
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('RATE_LIMITED')
    const wait = Number(refused.headers.get('retry-after'))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(3600)
    expect((await t.request('POST', '/api/auth/login', { body: { username: 'reg4', password: 'reg4 password 1' } })).status).toBe(401)
    expect((await register(t, 'reg4', '203.0.113.11')).status).toBe(201)
  })
})

describe('registrations per client address across two replicas sharing Redis', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica
  beforeAll(async () => {
    cluster = await startReplicas(2, { REGISTRATION_RATE_PER_HOUR: '3', TRUST_PROXY: 'true' })
    ;[a, b] = cluster.replicas as [Replica, Replica]
  })
  afterAll(() => cluster?.close())

  it('counts the address once for both', async () => {
    const statuses = []
    for (const [i, on] of [a, b, a, b].entries()) statuses.push((await register(on, `shared${i}`, '203.0.113.20')).status)
    expect(statuses).toEqual([201, 201, 201, 429])
    expect((await register(a, 'shared9', '203.0.113.21')).status).toBe(201)
  })
})

describe('password policy', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.close())

  it.each([
    ['password', 'at least 10'],
    ['12345678', 'at least 10'],
    ['secret123', 'at least 10'],
    ['password123', 'too common'],
    ['qwertyuiop', 'too common'],
    ['1234567890', 'too common'],
    ['Password2024!', 'too common'],
    ['iloveyou!!!!', 'too common'],
    ['p@ssw0rd123', 'too common'],
  ])('refuses %j at registration with 400 naming the field', async (password, problem) => {
    const res = await t.request('POST', '/api/auth/register', { body: { username: 'weakling', password } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details).toEqual([expect.objectContaining({ location: 'json', path: 'password', message: expect.stringContaining(problem) })])
  })

  it('accepts a long uncommon password', async () => {
    expect((await t.request('POST', '/api/auth/register', { body: { username: 'strong', password: 'purple elephant mortgage' } })).status).toBe(201)
  })

  it('applies to password changes and admin resets, naming newPassword', async () => {
    const user = await t.registerUser('changer', 'changer password 1')
    const own = await t.request('POST', '/api/auth/password', { token: user.token, body: { currentPassword: 'changer password 1', newPassword: 'qwertyuiop' } })
    expect(own.status).toBe(400)
    expect(own.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword' })])
    const reset = await t.request('POST', `/api/users/${user.id}/password`, { token: await t.adminToken(), body: { newPassword: 'Password123' } })
    expect(reset.status).toBe(400)
    expect(reset.body.error.details).toEqual([expect.objectContaining({ path: 'newPassword' })])
  })
})
