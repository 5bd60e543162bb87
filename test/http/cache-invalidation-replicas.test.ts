import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REFRESH_FAMILIES_TOPIC } from '../../src/features/auth/caching-refresh-token.repository.ts'
import { PLATFORM_KEYS_TOPIC } from '../../src/features/keys/caching-platform-key.repository.ts'
import { MODEL_CONFIGS_TOPIC } from '../../src/features/models/caching-model-repositories.ts'
import { USERS_TOPIC } from '../../src/features/users/user.repository.port.ts'
import { CacheInvalidation } from '../../src/shared/cache-invalidation.port.ts'
import { resolve } from '../../src/shared/di.ts'
import { ADMIN, startReplicas, type Replica } from '../integration/redis/replicas.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

// Needs PostgreSQL and Redis, like test/integration/redis. Each replica keeps platform keys (with
// their owner) and model configs in memory; a change made on A must reach B's very next request.

describe('cached keys, owners and models stay correct across replicas', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica
  let upstream: Upstream
  let admin: string

  beforeAll(async () => {
    upstream = await startUpstream()
    cluster = await startReplicas(2)
    ;[a, b] = cluster.replicas as [Replica, Replica]
    admin = await a.login(ADMIN.username, ADMIN.password)
    await systemModel('shared-gpt')
  })
  afterAll(async () => {
    await cluster?.close()
    await upstream?.close()
  })

  async function systemModel(alias: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await a.request('POST', '/api/models/system', {
      token: admin,
      body: { providerKind: 'openai', displayName: alias, modelId: 'gpt-4o-mini', alias, baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY, ...extra },
    })
    if (res.status !== 201) throw new Error(`system model ${alias}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.id
  }

  /** A new user (registered on A) with a platform key (created on A). */
  async function userWithKey(username: string): Promise<{ id: string; token: string; keyId: string; secret: string }> {
    const reg = await a.request('POST', '/api/auth/register', { body: { username, password: `${username} password 1` } })
    if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`)
    const key = await a.request('POST', '/api/keys', { token: reg.body.accessToken, body: { name: `${username}-key` } })
    if (key.status !== 201) throw new Error(`key for ${username}: ${key.status} ${JSON.stringify(key.body)}`)
    return { id: reg.body.user.id, token: reg.body.accessToken, keyId: key.body.key.id, secret: key.body.secret }
  }

  const complete = (on: Replica, secret: string, model = 'shared-gpt') =>
    on.request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${secret}` }, body: { model, messages: [{ role: 'user', content: 'hi' }] } })
  const listModels = async (on: Replica, secret: string) => {
    const res = await on.request('GET', '/v1/models', { headers: { authorization: `Bearer ${secret}` } })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return (res.body.data as Array<{ id: string }>).map((m) => m.id)
  }

  /**
   * Resolves once `on` has heard an invalidation of `id` under `topic` from the other replica:
   * pub/sub is asynchronous, so "the very next request" is the next one after the message arrived.
   */
  /** Resolves when B hears a message of the topic about `id` (null: about anything). */
  function heardOn(on: Replica, topic: string, id: string | null): Promise<void> {
    return new Promise((done) => {
      const stop = resolve(on.container, CacheInvalidation).subscribe(topic, (ids) => {
        if (id === null || ids === null || ids.includes(id)) {
          stop()
          done()
        }
      })
    })
  }

  it('a key revoked on A is refused by B on its very next request', async () => {
    const dave = await userWithKey('dave')
    expect((await complete(b, dave.secret)).status).toBe(200) // B has the key cached now
    expect(await listModels(b, dave.secret)).toContain('shared-gpt')

    const heard = heardOn(b, PLATFORM_KEYS_TOPIC, dave.keyId)
    expect((await a.request('DELETE', `/api/keys/${dave.keyId}`, { token: dave.token })).status).toBe(204)
    await heard
    const refused = await complete(b, dave.secret)
    expect(refused.status).toBe(401)
    expect(refused.body.error).toMatchObject({ code: 'invalid_api_key', message: 'This API key has been revoked' })
    expect((await b.request('GET', '/v1/models', { headers: { authorization: `Bearer ${dave.secret}` } })).status).toBe(401)
  })

  it('a key rotated on A: B refuses the old secret and takes the new one', async () => {
    const erin = await userWithKey('erin')
    expect((await complete(b, erin.secret)).status).toBe(200)
    const heard = heardOn(b, PLATFORM_KEYS_TOPIC, erin.keyId)
    const rotated = await a.request('POST', `/api/keys/${erin.keyId}/rotate`, { token: erin.token })
    expect(rotated.status).toBe(200)
    await heard
    expect((await complete(b, erin.secret)).status).toBe(401)
    expect((await complete(b, rotated.body.secret)).status).toBe(200)
  })

  it('an owner disabled by an admin on A: B refuses their key on its very next request', async () => {
    const frank = await userWithKey('frank')
    expect((await complete(b, frank.secret)).status).toBe(200)
    const heard = heardOn(b, USERS_TOPIC, frank.id)
    expect((await a.request('PATCH', `/api/users/${frank.id}`, { token: admin, body: { disabled: true } })).status).toBe(200)
    await heard
    const refused = await complete(b, frank.secret)
    expect(refused.status).toBe(401)
    expect(refused.body.error.message).toBe("This API key's owner is disabled")

    // And enabled again: B takes the key again.
    const back = heardOn(b, USERS_TOPIC, frank.id)
    expect((await a.request('PATCH', `/api/users/${frank.id}`, { token: admin, body: { disabled: false } })).status).toBe(200)
    await back
    expect((await complete(b, frank.secret)).status).toBe(200)
  })

  it('a logout on A ends the access token on B at its next request', async () => {
    const lena = await userWithKey('lena')
    expect((await b.request('GET', '/api/auth/me', { token: lena.token })).status).toBe(200)
    const heard = heardOn(b, REFRESH_FAMILIES_TOPIC, null)
    expect((await a.request('POST', '/api/auth/logout', { token: lena.token })).status).toBe(204)
    await heard
    expect((await b.request('GET', '/api/auth/me', { token: lena.token })).status).toBe(401)
  })

  it('a user disabled on A: B refuses their access token at its next request', async () => {
    const mike = await userWithKey('mike')
    expect((await b.request('GET', '/api/auth/me', { token: mike.token })).status).toBe(200)
    const heard = heardOn(b, USERS_TOPIC, mike.id)
    expect((await a.request('PATCH', `/api/users/${mike.id}`, { token: admin, body: { disabled: true } })).status).toBe(200)
    await heard
    expect((await b.request('GET', '/api/auth/me', { token: mike.token })).status).toBe(401)
  })

  it('an owner deleted on A: B refuses their key', async () => {
    const gina = await userWithKey('gina')
    expect((await complete(b, gina.secret)).status).toBe(200)
    const heard = heardOn(b, USERS_TOPIC, gina.id)
    expect((await a.request('DELETE', `/api/users/${gina.id}`, { token: admin })).status).toBe(204)
    await heard
    expect((await complete(b, gina.secret)).status).toBe(401)
  })

  it("an owner promoted on A: B's key sees the admins-only models at once, and loses them when demoted", async () => {
    await systemModel('admins-gpt', { visibility: 'admins' })
    const hank = await userWithKey('hank')
    expect(await listModels(b, hank.secret)).not.toContain('admins-gpt')
    expect((await complete(b, hank.secret, 'admins-gpt')).status).toBe(404)

    const promoted = heardOn(b, USERS_TOPIC, hank.id)
    expect((await a.request('PATCH', `/api/users/${hank.id}`, { token: admin, body: { role: 'ADMIN' } })).status).toBe(200)
    await promoted
    expect(await listModels(b, hank.secret)).toContain('admins-gpt')
    expect((await complete(b, hank.secret, 'admins-gpt')).status).toBe(200)

    const demoted = heardOn(b, USERS_TOPIC, hank.id)
    expect((await a.request('PATCH', `/api/users/${hank.id}`, { token: admin, body: { role: 'USER' } })).status).toBe(200)
    await demoted
    expect(await listModels(b, hank.secret)).not.toContain('admins-gpt')
    expect((await complete(b, hank.secret, 'admins-gpt')).status).toBe(404)
  })

  it('a system model disabled on A is not found on B at once, and usable again once enabled', async () => {
    const ivan = await userWithKey('ivan')
    const toggled = await systemModel('toggled-gpt')
    expect((await complete(b, ivan.secret, 'toggled-gpt')).status).toBe(200) // B has the model cached now

    const heard = heardOn(b, MODEL_CONFIGS_TOPIC, toggled)
    expect((await a.request('PATCH', `/api/models/system/${toggled}`, { token: admin, body: { enabled: false } })).status).toBe(200)
    await heard
    const missing = await complete(b, ivan.secret, 'toggled-gpt')
    expect(missing.status).toBe(404)
    expect(missing.body.error).toMatchObject({ code: 'model_not_found', param: 'model', message: 'The model `toggled-gpt` does not exist or you do not have access to it.' })

    const enabled = heardOn(b, MODEL_CONFIGS_TOPIC, toggled)
    expect((await a.request('PATCH', `/api/models/system/${toggled}`, { token: admin, body: { enabled: true } })).status).toBe(200)
    await enabled
    expect((await complete(b, ivan.secret, 'toggled-gpt')).status).toBe(200)
  })

  it('a system model deleted on A is not found on B at once', async () => {
    const judy = await userWithKey('judy')
    const doomed = await systemModel('doomed-gpt')
    expect((await complete(b, judy.secret, 'doomed-gpt')).status).toBe(200)
    const heard = heardOn(b, MODEL_CONFIGS_TOPIC, doomed)
    expect((await a.request('DELETE', `/api/models/system/${doomed}`, { token: admin })).status).toBe(204)
    await heard
    const missing = await complete(b, judy.secret, 'doomed-gpt')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('model_not_found')
    // The other models are not affected.
    expect((await complete(b, judy.secret)).status).toBe(200)
  })

  it("a system model's provider key rotated on A is the one B sends upstream next", async () => {
    const kate = await userWithKey('kate')
    const rotating = await systemModel('rotating-gpt')
    upstream.reset()
    expect((await complete(b, kate.secret, 'rotating-gpt')).status).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)

    const heard = heardOn(b, MODEL_CONFIGS_TOPIC, rotating)
    const rotated = await a.request('POST', `/api/models/${rotating}/api-key`, { token: admin, body: { apiKey: 'sk-rotated-provider-key-0000' } })
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200)
    await heard
    await complete(b, kate.secret, 'rotating-gpt') // the upstream refuses the new key: what matters is which key B sent
    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-rotated-provider-key-0000')
  })

  it('closing a replica closes its cache invalidation subscriber (runs last: B is gone afterwards)', async () => {
    const connection = await cluster.redis.open()
    const channel = `${cluster.redis.prefix}chatbase:cache-invalidation`
    const count = async () => ((await connection.pubsub('NUMSUB', channel)) as [string, number])[1]
    expect(await count()).toBe(2)
    await b.close()
    await expect.poll(count, { timeout: 1000 }).toBe(1)
  })
})
