import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOGIN_RULES } from '../../src/features/auth/login-throttle-policy.ts'
import { PasswordHasher } from '../../src/features/auth/password-hasher.port.ts'
import { Clock } from '../../src/shared/clock.port.ts'
import { bindValue, resolve } from '../../src/shared/di.ts'
import { ManualClock } from '../../src/shared/testing/fakes.ts'
import { startReplicas, type Replica } from '../integration/redis/replicas.ts'
import { createTestApp, type TestApp, type TestResponse } from '../support/test-app.ts'

const VICTIM = { username: 'victim', password: 'victim password 1' }
const ATTACKER_ADDRESS = '203.0.113.66'
const VICTIM_ADDRESS = '198.51.100.7'
const ALLOWANCE = LOGIN_RULES.accountFromAddress.allowance
const BURST = 100

type Send = (body: unknown, address: string) => Promise<TestResponse>
const statuses = (responses: TestResponse[]) => responses.reduce<Record<number, number>>((n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }), {})

/** The real hasher, counting how many passwords reach the check. */
class CountingHasher implements PasswordHasher {
  checks = 0
  constructor(private readonly real: PasswordHasher) {}
  hash = (password: string) => this.real.hash(password)
  verify = (password: string, hash: string) => {
    this.checks++
    return this.real.verify(password, hash)
  }
  verifyAgainstDummy = (password: string) => {
    this.checks++
    return this.real.verifyAgainstDummy(password)
  }
}

async function burst(send: Send, username: string, address: string): Promise<TestResponse[]> {
  return Promise.all(Array.from({ length: BURST }, (_, i) => send({ username, password: `wrong guess ${i}` }, address)))
}

function expectHeldBack(responses: TestResponse[]) {
  const counts = statuses(responses)
  expect(counts[401] ?? 0).toBeLessThanOrEqual(ALLOWANCE)
  expect(counts[429] ?? 0).toBeGreaterThanOrEqual(BURST - ALLOWANCE)
  expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(BURST)
  const refused = responses.find((r) => r.status === 429)!
  expect(refused.body.error.code).toBe('RATE_LIMITED')
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
}

describe('parallel wrong passwords against one account (SQLite, one process)', () => {
  let t: TestApp
  let hasher: CountingHasher
  let send: Send
  const clock = new ManualClock(new Date())

  beforeAll(async () => {
    t = await createTestApp({
      env: { TRUST_PROXY: 'true' },
      override: (c) => {
        bindValue(c, Clock, clock) // time stands still: waits last until the test moves it
        hasher = new CountingHasher(resolve(c, PasswordHasher))
        bindValue(c, PasswordHasher, hasher)
      },
    })
    send = (body, address) => t.request('POST', '/api/auth/login', { body, headers: { 'x-forwarded-for': address } })
    await t.registerUser(VICTIM.username, VICTIM.password)
  })
  afterAll(() => t?.close())

  it(`lets at most ${ALLOWANCE} of ${BURST} reach the password check`, async () => {
    hasher.checks = 0
    const responses = await burst(send, VICTIM.username, ATTACKER_ADDRESS)
    expect(hasher.checks).toBeLessThanOrEqual(ALLOWANCE)
    expect(statuses(responses)[401]).toBe(hasher.checks)
    expectHeldBack(responses)
  })

  it('still lets the victim in from their own address, while the attacker address waits', async () => {
    expect((await send(VICTIM, VICTIM_ADDRESS)).status).toBe(200)
    const attacker = await send(VICTIM, ATTACKER_ADDRESS) // even with the right password
    expect(attacker.status).toBe(429)
    expect(attacker.headers.get('retry-after')).toBe('1')
    clock.advance(1000)
    expect((await send(VICTIM, ATTACKER_ADDRESS)).status).toBe(200) // a short wait, not a 15-minute lock
  })

  it('holds back a burst against an unknown account the same way (no existence leak, no free checks)', async () => {
    hasher.checks = 0
    const responses = await burst(send, 'nobody-here', '203.0.113.67')
    expect(statuses(responses)[401]).toBe(hasher.checks)
    expect(hasher.checks).toBeLessThanOrEqual(ALLOWANCE)
    expectHeldBack(responses)
  })
})

describe('parallel wrong passwords spread over two replicas sharing Redis', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let replicas: Replica[]
  let send: Send

  beforeAll(async () => {
    cluster = await startReplicas(2, { TRUST_PROXY: 'true' })
    replicas = cluster.replicas
    let turn = 0
    send = (body, address) => replicas[turn++ % 2]!.request('POST', '/api/auth/login', { body, headers: { 'x-forwarded-for': address } })
    expect((await replicas[0]!.request('POST', '/api/auth/register', { body: VICTIM })).status).toBe(201)
  })
  afterAll(() => cluster?.close())

  it(`lets at most ${ALLOWANCE} of ${BURST} reach the password check across both`, async () => {
    expectHeldBack(await burst(send, VICTIM.username, ATTACKER_ADDRESS))
  })

  it('still lets the victim in from their own address on either replica', async () => {
    // (Whether the attacker address still waits depends on Redis's clock: the in-process test checks that.)
    for (const replica of replicas) {
      const res = await replica.request('POST', '/api/auth/login', { body: VICTIM, headers: { 'x-forwarded-for': VICTIM_ADDRESS } })
      expect(res.status, replica.name).toBe(200)
    }
  })
})
