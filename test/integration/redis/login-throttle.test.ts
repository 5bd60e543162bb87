import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOGIN_RULES } from '../../../src/features/auth/login-throttle-policy.ts'
import { startReplicas, type Replica } from './replicas.ts'

// The throttle adapters themselves: test/contract/auth/login-throttle.test.ts.
describe('failed logins on one replica hold the account back on the other', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica

  beforeAll(async () => {
    cluster = await startReplicas(2)
    ;[a, b] = cluster.replicas as [Replica, Replica]
  })
  afterAll(() => cluster?.close())

  it('shares the count, the wait and its expiry', async () => {
    const password = 'frank password 1'
    expect((await a.request('POST', '/api/auth/register', { body: { username: 'frank', password } })).status).toBe(201)
    const attempt = (on: Replica, pass: string) => on.request('POST', '/api/auth/login', { body: { username: 'frank', password: pass } })

    const allowance = LOGIN_RULES.accountFromAddress.allowance
    for (let n = 0; n < allowance; n++) expect((await attempt(n % 2 ? b : a, 'wrong password')).status).toBe(401)
    // Five failures from this address, spread over both replicas: the next try waits 1 s everywhere.
    for (const on of [b, a]) {
      const held = await attempt(on, password)
      expect(held.status, on.name).toBe(429)
      expect(held.headers.get('retry-after')).toBe('1')
      expect(held.body.error.code).toBe('RATE_LIMITED')
    }
    await new Promise((r) => setTimeout(r, 1100))
    expect((await attempt(b, password)).status).toBe(200)
  })
})
