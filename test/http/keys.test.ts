import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Clock } from '../../src/shared/clock.port.ts'
import { bindValue } from '../../src/shared/di.ts'
import { ManualClock } from '../../src/shared/testing/fakes.ts'
import { createGatewayTestApp, type GatewayTestApp } from '../unit/keys/gateway-test-app.ts'

const SECRET = /^sk-[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/

describe('platform API keys over HTTP', () => {
  let t: GatewayTestApp
  let clock: ManualClock
  let alice: { token: string; id: string }
  let bob: { token: string; id: string }
  let admin: string

  beforeAll(async () => {
    clock = new ManualClock(new Date())
    t = await createGatewayTestApp({ override: (c) => bindValue(c, Clock, clock) })
    alice = await t.registerUser('alice')
    bob = await t.registerUser('bob')
    admin = await t.adminToken()
    // Keys may be restricted to these: a system model by alias, alice's own by alias; bob has his own.
    await addModel('sys-gpt', null, 'gpt-main')
    await addModel('alice-m1', alice.id, 'm1')
    await addModel('bob-own', bob.id, null)
    await addModel('sys-admins', null, null, 'admins')
  })
  afterAll(() => t.close())

  const addModel = (id: string, ownerId: string | null, alias: string | null, visibility = 'all') =>
    t.db.client.modelConfig.create({
      data: { id, ownerId, alias, visibility, providerKind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', modelId: 'gpt-4o-mini', displayName: id, contextWindow: 128000, maxOutputTokens: 4096 },
    })

  const create = async (token: string, body: Record<string, unknown> = { name: 'laptop' }) => {
    const res = await t.request('POST', '/api/keys', { token, body })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { secret: string; key: { id: string; prefix: string } & Record<string, unknown> }
  }

  it('needs a signed-in caller, and an admin for everyone\'s keys', async () => {
    expect((await t.request('POST', '/api/keys', { body: { name: 'x' } })).status).toBe(401)
    expect((await t.request('GET', '/api/keys')).status).toBe(401)
    expect((await t.request('DELETE', '/api/keys/x')).status).toBe(401)
    expect((await t.request('POST', '/api/keys/x/rotate')).status).toBe(401)
    expect((await t.request('GET', '/api/admin/keys', { token: alice.token })).status).toBe(403)
  })

  it('shows the secret once; lists never show it or its hash', async () => {
    const res = await t.request('POST', '/api/keys', {
      token: alice.token,
      body: { name: 'ci', allowedModels: ['gpt-main'], limits: { requestsPerMinute: 30 }, expiresAt: new Date(clock.now().getTime() + 86_400_000).toISOString() },
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const { secret, key } = res.body
    expect(secret).toMatch(SECRET)
    expect(key).toMatchObject({ name: 'ci', ownerId: alice.id, status: 'active', allowedModels: ['gpt-main'], limits: { requestsPerMinute: 30 }, lastUsedAt: null, revokedAt: null })
    expect(secret.slice(3, 11)).toBe(key.prefix)

    const list = await t.request('GET', '/api/keys', { token: alice.token })
    expect(list.status).toBe(200)
    expect(list.body.items.map((k: any) => k.id)).toContain(key.id)
    expect(Object.keys(list.body.items[0]).sort()).toEqual(
      ['allowedModels', 'createdAt', 'expiresAt', 'graceExpiresAt', 'id', 'lastUsedAt', 'limits', 'name', 'ownerId', 'prefix', 'revokedAt', 'status'],
    )
    const randomPart = secret.slice(12)
    for (const body of [list.body, (await t.request('GET', '/api/admin/keys', { token: admin })).body, (await t.request('GET', '/api/audit', { token: admin })).body]) {
      expect(JSON.stringify(body)).not.toContain(randomPart)
    }
    expect(t.logs.join('')).not.toContain(randomPart)
    expect((await t.request('GET', '/api/keys', { token: bob.token })).body.items).toEqual([])
  })

  it('authenticates a key as its owner and records the use (at most once a minute)', async () => {
    const { secret, key } = await create(alice.token, { name: 'probe', allowedModels: ['m1'], limits: { tokensPerDay: 5000 } })
    const who = await t.whoami(secret)
    expect(who.status).toBe(200)
    expect(who.body).toMatchObject({ keyId: key.id, username: 'alice', allowedModels: ['m1'], limits: { tokensPerDay: 5000 }, actor: { userId: alice.id, apiKeyId: key.id } })
    const listed = (await t.request('GET', '/api/keys', { token: alice.token })).body.items.find((k: any) => k.id === key.id)
    expect(listed.lastUsedAt).toBe(clock.now().toISOString())
  })

  it.each([
    ['a missing name', {}],
    ['an unknown field', { name: 'x', scopes: ['all'] }],
    ['a negative limit', { name: 'x', limits: { requestsPerMinute: -1 } }],
    ['an unknown limit', { name: 'x', limits: { requestsPerHour: 5 } }],
    ['an expiry in the past', { name: 'x', expiresAt: '2020-01-01T00:00:00Z' }],
  ])('refuses %s with 400', async (_what, body) => {
    const res = await t.request('POST', '/api/keys', { token: alice.token, body })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('refuses unknown and malformed keys with 401', async () => {
    for (const secret of ['sk-nothing', `sk-abcdefgh_${'x'.repeat(43)}`, alice.token]) {
      const res = await t.whoami(secret)
      expect(res.status).toBe(401)
      expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'Invalid API key' })
    }
  })

  it('revokes: owner or admin; the key is refused at once; others get 404', async () => {
    const own = await create(alice.token)
    expect((await t.request('DELETE', `/api/keys/${own.key.id}`, { token: bob.token })).status).toBe(404)
    expect((await t.whoami(own.secret)).status).toBe(200)
    expect((await t.request('DELETE', `/api/keys/${own.key.id}`, { token: alice.token })).status).toBe(204)
    const refused = await t.whoami(own.secret)
    expect(refused.status).toBe(401)
    expect(refused.body.error.message).toBe('This API key has been revoked')
    expect((await t.request('DELETE', `/api/keys/${own.key.id}`, { token: alice.token })).status).toBe(204) // idempotent

    const other = await create(bob.token)
    expect((await t.request('DELETE', `/api/keys/${other.key.id}`, { token: admin })).status).toBe(204)
    expect((await t.whoami(other.secret)).status).toBe(401)
    const listed = (await t.request('GET', '/api/keys', { token: bob.token })).body.items.find((k: any) => k.id === other.key.id)
    expect(listed).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) })
  })

  it('rotates with a grace period: the old secret works within it and fails after', async () => {
    const first = await create(alice.token, { name: 'rotating' })
    const res = await t.request('POST', `/api/keys/${first.key.id}/rotate`, { token: alice.token, body: { graceSeconds: 600 } })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const second = res.body.secret as string
    expect(second).toMatch(SECRET)
    expect(second).not.toBe(first.secret)
    expect(res.body.key).toMatchObject({ id: first.key.id, graceExpiresAt: new Date(clock.now().getTime() + 600_000).toISOString() })
    expect((await t.whoami(first.secret)).status).toBe(200)
    expect((await t.whoami(second)).status).toBe(200)
    clock.advance(599_000)
    expect((await t.whoami(first.secret)).status).toBe(200)
    clock.advance(1_000)
    const late = await t.whoami(first.secret)
    expect(late.status).toBe(401)
    expect(late.body.error.message).toBe('This API key was rotated; use the new secret')
    expect((await t.whoami(second)).status).toBe(200)
  })

  it('rotates without grace by default; only the owner may rotate; limits are checked', async () => {
    const { secret, key } = await create(alice.token)
    expect((await t.request('POST', `/api/keys/${key.id}/rotate`, { token: bob.token })).status).toBe(404)
    expect((await t.request('POST', `/api/keys/${key.id}/rotate`, { token: admin })).status).toBe(404)
    expect((await t.request('POST', `/api/keys/${key.id}/rotate`, { token: alice.token, body: { graceSeconds: 8 * 86_400 } })).status).toBe(400)
    const rotated = await t.request('POST', `/api/keys/${key.id}/rotate`, { token: alice.token })
    expect(rotated.status).toBe(200)
    expect((await t.whoami(secret)).status).toBe(401)
    expect((await t.whoami(rotated.body.secret)).status).toBe(200)
    await t.request('DELETE', `/api/keys/${key.id}`, { token: alice.token })
    expect((await t.request('POST', `/api/keys/${key.id}/rotate`, { token: alice.token })).status).toBe(409)
  })

  it('refuses an expired key, and every key of a disabled owner', async () => {
    const expiring = await create(bob.token, { name: 'short', expiresAt: new Date(clock.now().getTime() + 60_000).toISOString() })
    expect((await t.whoami(expiring.secret)).status).toBe(200)
    clock.advance(60_000)
    expect((await t.whoami(expiring.secret)).body.error.message).toBe('This API key has expired')

    const carol = await t.registerUser('carol')
    const { secret } = await create(carol.token)
    expect((await t.whoami(secret)).status).toBe(200)
    expect((await t.request('PATCH', `/api/users/${carol.id}`, { token: admin, body: { disabled: true } })).status).toBe(200)
    const refused = await t.whoami(secret)
    expect(refused.status).toBe(401)
    expect(refused.body.error.message).toBe("This API key's owner is disabled")
  })

  it("gives admins everyone's keys, or one owner's, newest first", async () => {
    const res = await t.request('GET', `/api/admin/keys?ownerId=${bob.id}&pageSize=100`, { token: admin })
    expect(res.status).toBe(200)
    expect(res.body.items.length).toBeGreaterThan(0)
    expect(res.body.items.every((k: any) => k.ownerId === bob.id)).toBe(true)
    const all = await t.request('GET', '/api/admin/keys?pageSize=100', { token: admin })
    expect(new Set(all.body.items.map((k: any) => k.ownerId))).toEqual(new Set([alice.id, bob.id, expect.any(String)]))
    const created = all.body.items.map((k: any) => k.createdAt)
    expect(created).toEqual([...created].sort().reverse())
  })

  it('audits creation, rotation and revocation without secrets', async () => {
    const res = await t.request('GET', '/api/audit?limit=100', { token: admin })
    const actions = new Set(res.body.items.map((e: any) => e.action))
    for (const action of ['api_key.created', 'api_key.rotated', 'api_key.revoked']) expect(actions).toContain(action)
    expect(JSON.stringify(res.body)).not.toMatch(/sk-[a-z0-9]{8}_/)
  })

  // Last: it creates keys for bob and the admin, which the listings above do not expect.
  it('restricts a key only to models its owner may use: anything else is a 400 naming the entry', async () => {
    const res = await t.request('POST', '/api/keys', { token: alice.token, body: { name: 'x', allowedModels: ['gpt-main', 'bob-own', 'no-such-model', 'sys-admins', 'alice-m1'] } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(['allowedModels.1', 'allowedModels.2', 'allowedModels.3'])
    // Bob may name his own model and a system model, but not alice's model by id or alias.
    await create(bob.token, { name: 'own', allowedModels: ['bob-own', 'sys-gpt'] })
    for (const name of ['alice-m1', 'm1']) {
      expect((await t.request('POST', '/api/keys', { token: bob.token, body: { name: 'x', allowedModels: [name] } })).status).toBe(400)
    }
    // An admin may use (so name) a system model hidden from users.
    await create(admin, { name: 'ops', allowedModels: ['sys-admins'] })
  })
})
