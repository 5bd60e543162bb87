import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PasswordHasher } from '../../src/features/auth/password-hasher.port.ts'
import { PooledBcryptPasswordHasher } from '../../src/features/auth/adapters/pooled-bcrypt-password-hasher.ts'
import { resolve } from '../../src/shared/di.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

const USER = { username: 'busy', password: 'busy password 1' }

// A real cost (12: a few hundred ms per check) on one worker with one queue slot: a burst of
// logins from many addresses (no throttle involved) finds the worker and the queue taken.
describe('password hashing under load', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ env: { BCRYPT_COST: '12', PASSWORD_HASH_WORKERS: '1', PASSWORD_HASH_QUEUE: '1', TRUST_PROXY: 'true' } })
    await t.registerUser(USER.username, USER.password)
  })
  afterAll(() => t?.close())

  it('runs on worker threads', () => {
    const hasher = resolve(t.container, PasswordHasher)
    expect(hasher).toBeInstanceOf(PooledBcryptPasswordHasher)
    expect((hasher as PooledBcryptPasswordHasher).stats()).toMatchObject({ workers: 1, busy: 0, queued: 0 })
  })

  it('sheds what the queue cannot hold with 503 and retry-after, in the error envelope', async () => {
    const login = (i: number) => t.request('POST', '/api/auth/login', { body: USER, headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } })
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => login(i)))
    const ok = responses.filter((r) => r.status === 200)
    const shed = responses.filter((r) => r.status === 503)
    expect(ok.length + shed.length).toBe(responses.length)
    expect(ok.length).toBeGreaterThanOrEqual(1)
    expect(ok.length).toBeLessThanOrEqual(2) // one running, one queued
    expect(shed[0]!.headers.get('retry-after')).toBe('1')
    expect(shed[0]!.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: shed[0]!.headers.get('x-request-id') })
    expect(shed[0]!.body.error.message).toMatch(/busy/)
    // A shed attempt is not a wrong guess: the same address may retry at once.
    expect((await login(7)).status).toBe(200)
  })

  it('hashes and verifies on its threads, and dispose() stops them', async () => {
    const hasher = new PooledBcryptPasswordHasher({ cost: 4, workers: 2, queueLimit: 4 })
    const hash = await hasher.hash('some password 1')
    expect(await hasher.verify('some password 1', hash)).toBe(true)
    expect(await hasher.verify('other password', hash)).toBe(false)
    expect(await hasher.verifyAgainstDummy('anything at all')).toBe(false)
    expect(hasher.stats().workers).toBe(1)
    await hasher.dispose()
    expect(hasher.stats().workers).toBe(0)
    await expect(hasher.verify('some password 1', hash)).rejects.toThrow(/closed/)
  })

  it('is stopped by container.dispose() (server shutdown, test close)', async () => {
    const app = await createTestApp()
    const hasher = resolve(app.container, PasswordHasher) as PooledBcryptPasswordHasher
    await app.adminToken()
    expect(hasher.stats().workers).toBe(1)
    await app.close()
    expect(hasher.stats().workers).toBe(0)
  })
})
