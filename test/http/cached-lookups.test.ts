import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CachingPlatformKeyRepository } from '../../src/features/keys/caching-platform-key.repository.ts'
import { PlatformKeyRepository } from '../../src/features/keys/platform-key.repository.port.ts'
import { AnnouncingSealedSecretStore, CachingModelConfigRepository, CachingProviderCredentialRepository } from '../../src/features/models/caching-model-repositories.ts'
import { ModelConfigRepository } from '../../src/features/models/model-config.repository.port.ts'
import { ProviderCredentialRepository } from '../../src/features/models/provider-credential.repository.port.ts'
import { SealedSecretStore } from '../../src/features/models/sealed-secret.store.port.ts'
import { CachingRefreshTokenRepository } from '../../src/features/auth/caching-refresh-token.repository.ts'
import { RefreshTokenRepository } from '../../src/features/auth/refresh-token.repository.port.ts'
import { CachingUserRepository } from '../../src/features/users/caching-user.repository.ts'
import { UserRepository } from '../../src/features/users/user.repository.port.ts'
import { CacheInvalidation } from '../../src/shared/cache-invalidation.port.ts'
import { resolve } from '../../src/shared/di.ts'
import { InProcessCacheInvalidation } from '../../src/shared/infra/in-process-cache-invalidation.ts'
import { SettlingCacheInvalidation } from '../../src/shared/settling-cache-invalidation.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

// One app on SQLite (no Redis): the key and model caches must still follow every change at once.

describe('cached keys and models in a single app', () => {
  let t: TestApp
  let upstream: Upstream
  let admin: string

  beforeAll(async () => {
    upstream = await startUpstream()
    t = await createTestApp()
    admin = await t.adminToken()
    await systemModel('everyone-gpt')
    await systemModel('admins-gpt', { visibility: 'admins' })
  })
  afterAll(async () => {
    await t?.close()
    await upstream?.close()
  })

  async function systemModel(alias: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await t.request('POST', '/api/models/system', {
      token: admin,
      body: { providerKind: 'openai', displayName: alias, modelId: 'gpt-4o-mini', alias, baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY, ...extra },
    })
    if (res.status !== 201) throw new Error(`system model ${alias}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.id
  }

  async function userWithKey(username: string) {
    const user = await t.registerUser(username)
    const key = await t.request('POST', '/api/keys', { token: user.token, body: { name: `${username}-key` } })
    expect(key.status).toBe(201)
    return { ...user, keyId: key.body.key.id as string, secret: key.body.secret as string }
  }

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` })
  const models = (secret: string) => t.request('GET', '/v1/models', { headers: bearer(secret) })
  const modelIds = async (secret: string) => {
    const res = await models(secret)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return (res.body.data as Array<{ id: string }>).map((m) => m.id)
  }
  const complete = (secret: string, model: string) =>
    t.request('POST', '/v1/chat/completions', { headers: bearer(secret), body: { model, messages: [{ role: 'user', content: 'hi' }] } })

  it('wires the caching repositories over one in-process invalidation bus', () => {
    const c = t.container
    const bus = resolve(c, CacheInvalidation)
    expect(bus).toBeInstanceOf(SettlingCacheInvalidation) // republishes when a unit of work ends
    expect((bus as SettlingCacheInvalidation).inner).toBeInstanceOf(InProcessCacheInvalidation)
    expect(resolve(c, CacheInvalidation)).toBe(resolve(c, CacheInvalidation))
    expect(resolve(c, PlatformKeyRepository)).toBeInstanceOf(CachingPlatformKeyRepository)
    expect(resolve(c, ModelConfigRepository)).toBeInstanceOf(CachingModelConfigRepository)
    expect(resolve(c, ProviderCredentialRepository)).toBeInstanceOf(CachingProviderCredentialRepository)
    expect(resolve(c, SealedSecretStore)).toBeInstanceOf(AnnouncingSealedSecretStore)
    expect(resolve(c, UserRepository)).toBeInstanceOf(CachingUserRepository)
    expect(resolve(c, RefreshTokenRepository)).toBeInstanceOf(CachingRefreshTokenRepository)
    // One instance each, so what a write drops is what the readers hold.
    expect(resolve(c, PlatformKeyRepository)).toBe(resolve(c, PlatformKeyRepository))
    expect(resolve(c, ModelConfigRepository)).toBe(resolve(c, ModelConfigRepository))
  })

  it('looks a key up in the database once, then serves it from memory', async () => {
    const lee = await userWithKey('lee')
    const inner = (resolve(t.container, PlatformKeyRepository) as unknown as { inner: PlatformKeyRepository }).inner
    const lookups = vi.spyOn(inner, 'findBySecretHash')
    try {
      await modelIds(lee.secret)
      await modelIds(lee.secret)
      await modelIds(lee.secret)
      expect(lookups).toHaveBeenCalledTimes(1)
      // Unknown secrets are looked up every time (never cached).
      const unknown = `sk-abcdefgh_${'x'.repeat(43)}`
      expect((await models(unknown)).status).toBe(401)
      expect((await models(unknown)).status).toBe(401)
      expect(lookups).toHaveBeenCalledTimes(3)
    } finally {
      lookups.mockRestore()
    }
  })

  it('a key used, then rotated without grace: the old secret is refused at once and the new one works', async () => {
    const mia = await userWithKey('mia')
    expect(await modelIds(mia.secret)).toContain('everyone-gpt') // cached now
    const rotated = await t.request('POST', `/api/keys/${mia.keyId}/rotate`, { token: mia.token })
    expect(rotated.status).toBe(200)
    const old = await models(mia.secret)
    expect(old.status).toBe(401)
    expect(old.body.error).toMatchObject({ code: 'invalid_api_key' })
    expect(await modelIds(rotated.body.secret)).toContain('everyone-gpt')
    expect((await complete(rotated.body.secret, 'everyone-gpt')).status).toBe(200)
    expect((await complete(mia.secret, 'everyone-gpt')).status).toBe(401)
  })

  it('a key used, then rotated with grace: the old secret keeps working as the grace secret', async () => {
    const noa = await userWithKey('noa')
    await modelIds(noa.secret)
    const rotated = await t.request('POST', `/api/keys/${noa.keyId}/rotate`, { token: noa.token, body: { graceSeconds: 600 } })
    expect(rotated.status).toBe(200)
    expect((await models(noa.secret)).status).toBe(200)
    expect((await models(rotated.body.secret)).status).toBe(200)
    // A second rotation without grace ends the old secret's grace at once.
    const again = await t.request('POST', `/api/keys/${noa.keyId}/rotate`, { token: noa.token })
    expect(again.status).toBe(200)
    expect((await models(noa.secret)).status).toBe(401)
    expect((await models(rotated.body.secret)).status).toBe(401)
    expect((await models(again.body.secret)).status).toBe(200)
  })

  it("a user's role change is followed at once by the models their key may see and use", async () => {
    const olga = await userWithKey('olga')
    expect(await modelIds(olga.secret)).toEqual(['everyone-gpt'])
    expect((await complete(olga.secret, 'admins-gpt')).status).toBe(404)

    expect((await t.request('PATCH', `/api/users/${olga.id}`, { token: admin, body: { role: 'ADMIN' } })).status).toBe(200)
    expect(await modelIds(olga.secret)).toEqual(['everyone-gpt', 'admins-gpt'])
    expect((await complete(olga.secret, 'admins-gpt')).status).toBe(200)

    expect((await t.request('PATCH', `/api/users/${olga.id}`, { token: admin, body: { role: 'USER' } })).status).toBe(200)
    expect(await modelIds(olga.secret)).toEqual(['everyone-gpt'])
    const refused = await complete(olga.secret, 'admins-gpt')
    expect(refused.status).toBe(404)
    expect(refused.body.error.code).toBe('model_not_found')
  })

  it('a model used, then disabled, is not found on the next request; its key change is used at once', async () => {
    const pia = await userWithKey('pia')
    const id = await systemModel('switchable-gpt')
    expect((await complete(pia.secret, 'switchable-gpt')).status).toBe(200) // the config is cached now

    expect((await t.request('PATCH', `/api/models/system/${id}`, { token: admin, body: { enabled: false } })).status).toBe(200)
    const missing = await complete(pia.secret, 'switchable-gpt')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('model_not_found')

    expect((await t.request('PATCH', `/api/models/system/${id}`, { token: admin, body: { enabled: true } })).status).toBe(200)
    upstream.reset()
    expect((await complete(pia.secret, 'switchable-gpt')).status).toBe(200)
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    const rotated = await t.request('POST', `/api/models/${id}/api-key`, { token: admin, body: { apiKey: 'sk-replaced-provider-key-1111' } })
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200)
    await complete(pia.secret, 'switchable-gpt') // the upstream refuses that key: what matters is which key was sent
    expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-replaced-provider-key-1111')
  })
})
