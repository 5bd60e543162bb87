import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { PrismaAuditLog } from '../../src/features/audit/adapters/prisma-audit-log.ts'
import { AuditTrail } from '../../src/features/audit/audit-trail.port.ts'
import { bindFactory } from '../../src/shared/di.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { expectNowhere } from '../unit/models/models-test-app.ts'

const FIRST = 'sk-first-key-0123456789abcdefAAAA'
const SECOND = 'sk-second-key-0123456789abcdefBBBB'
const REJECTED = 'sk-rejected-key-0123456789abcdCCCC'
const responses: unknown[] = []

describe('RotateApiKey and the model test over HTTP (against the local test upstream)', () => {
  let t: TestApp
  let upstream: Upstream
  let alice: string
  let bob: string
  let admin: string
  const call = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await t.request(method, url, { token, body })
    responses.push(res.body)
    return res
  }
  const create = async (token: string, body: Record<string, unknown>, url = '/api/models') => {
    const res = await call('POST', url, token, { displayName: 'upstream', ...body })
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`)
    return res.body.id as string
  }
  const keysSeen = () => upstream.requests.map((r) => r.headers.authorization ?? r.headers['x-api-key'] ?? r.headers['x-goog-api-key'])

  beforeAll(async () => {
    upstream = await startUpstream({ keys: [FIRST, SECOND] })
    t = await createTestApp()
    alice = (await t.registerUser('alice')).token
    bob = (await t.registerUser('bob')).token
    admin = await t.adminToken()
  })
  beforeEach(() => upstream.reset())
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })

  it.each([
    ['openai', 'gpt-4o-mini', '/v1'],
    ['anthropic', 'claude-3-5-haiku', ''],
    ['gemini', 'gemini-2.5-flash', ''],
  ])('tests a %s model: success with latency, then the provider\'s own error for a bad key', async (providerKind, modelId, suffix) => {
    const id = await create(alice, { providerKind, modelId, baseUrl: `${upstream.url}${suffix}`, apiKey: FIRST })
    const ok = await call('POST', `/api/models/${id}/test`, alice)
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ ok: true, latencyMs: expect.any(Number) })
    expect(upstream.requests).toHaveLength(1)

    await call('POST', `/api/models/${id}/api-key`, alice, { apiKey: REJECTED })
    const bad = await call('POST', `/api/models/${id}/test`, alice)
    expect(bad.status).toBe(200)
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'PROVIDER_AUTH_FAILED', message: expect.any(String) } })
    expect(bad.body.error.message.length).toBeGreaterThan(5)
    expect(bad.body.error.message).not.toContain(REJECTED)
  })

  it("reports an upstream failure other than the key (unknown model) by its status and the provider's error code, not its message", async () => {
    const id = await create(alice, { providerKind: 'openai', modelId: 'gpt-4o', baseUrl: `${upstream.url}/v1`, apiKey: FIRST })
    upstream.enqueue({ fail: 'not_found', message: 'The model `gpt-4o` does not exist or you do not have access to it.' })
    const res = await call('POST', `/api/models/${id}/test`, alice)
    expect(res.body).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      error: { code: 'PROVIDER_BAD_REQUEST', status: 404, providerCode: 'model_not_found', message: 'OpenAI rejected the request (HTTP 404) [model_not_found]' },
    })
  })

  it('rotates a key; with verify, a key the provider rejects is refused and nothing changes', async () => {
    const id = await create(alice, { providerKind: 'openai', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: FIRST })
    const before = await t.db.client.modelConfig.findUniqueOrThrow({ where: { id } })

    const refused = await call('POST', `/api/models/${id}/api-key`, alice, { apiKey: REJECTED, verify: true })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'apiKey', providerCode: 'PROVIDER_AUTH_FAILED' }] })
    expect(refused.body.error.message).toMatch(/^The provider rejected the new API key: /)
    expect(await t.db.client.modelConfig.findUniqueOrThrow({ where: { id } })).toEqual(before)

    const rotated = await call('POST', `/api/models/${id}/api-key`, alice, { apiKey: SECOND, verify: true })
    expect(rotated.status).toBe(200)
    expect(rotated.body).toMatchObject({ id, hasApiKey: true, apiKeyHint: 'BBBB', verified: true })
    const after = await t.db.client.modelConfig.findUniqueOrThrow({ where: { id } })
    expect(after.credentialCiphertext).not.toBe(before.credentialCiphertext)
    expect(after.credentialHint).toBe('BBBB')

    upstream.reset()
    expect((await call('POST', `/api/models/${id}/test`, alice)).body.ok).toBe(true)
    expect(keysSeen()).toEqual([`Bearer ${SECOND}`])

    const removed = await call('POST', `/api/models/${id}/api-key`, alice, { apiKey: null })
    expect(removed.body).toMatchObject({ hasApiKey: false, apiKeyHint: null })
    expect(await t.db.client.modelConfig.findUniqueOrThrow({ where: { id } })).toMatchObject({ credentialCiphertext: null, credentialKeyId: null, credentialHint: null })
  })

  it('lets admins rotate system keys; users may not, and others cannot even see personal models', async () => {
    const sys = await create(admin, { providerKind: 'anthropic', modelId: 'claude-sonnet-4', baseUrl: upstream.url, apiKey: FIRST }, '/api/models/system')
    expect((await call('POST', `/api/models/${sys}/api-key`, bob, { apiKey: SECOND })).status).toBe(403)
    expect((await call('POST', `/api/models/${sys}/api-key`, admin, { apiKey: SECOND, verify: true })).status).toBe(200)
    const mine = await create(alice, { providerKind: 'openai', modelId: 'gpt-4o', baseUrl: `${upstream.url}/v1`, apiKey: FIRST })
    expect((await call('POST', `/api/models/${mine}/api-key`, bob, { apiKey: SECOND })).status).toBe(404)
    expect((await call('POST', `/api/models/${mine}/api-key`, alice, { apiKey: 'has space 0123456789' })).status).toBe(400)
    expect((await call('POST', `/api/models/${mine}/api-key`, alice, {})).status).toBe(400)
  })

  it('the admin endpoint re-encrypts under the current key and reports what can be removed', async () => {
    expect((await call('POST', '/api/admin/keys/rotate', alice, {})).status).toBe(403)
    const res = await call('POST', '/api/admin/keys/rotate', admin, { batchSize: 2 })
    expect(res.status).toBe(200)
    // Everything is already under the one key of this app: nothing to do, nothing old to remove.
    expect(res.body).toMatchObject({ dryRun: false, total: 0, reencrypted: 0, failed: 0, remainingByKeyId: {}, canRemove: [], unknownKeyIds: [] })
    expect(res.body.currentKeyId).toMatch(/^[0-9a-f]{8}$/)
  })

  it('never shows any key in responses, audit entries or logs', async () => {
    const audit = await call('GET', '/api/audit?limit=100', admin)
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('model.api_key_rotated')
    for (const key of [FIRST, SECOND, REJECTED]) expectNowhere(t, key, responses)
  })
})

describe('RotateApiKey stores the new key and its audit entry together', () => {
  let t: TestApp
  let upstream: Upstream
  let failAudit = true
  beforeAll(async () => {
    upstream = await startUpstream({ keys: [FIRST, SECOND] })
    t = await createTestApp({
      override: (c) =>
        bindFactory(c, AuditTrail, (inner) => {
          const real = inner.resolve(PrismaAuditLog)
          return {
            record: async (entry) => {
              if (failAudit && entry.action === 'model.api_key_rotated') throw new Error('the audit store is full')
              await real.record(entry)
            },
          }
        }),
    })
  })
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })

  it('keeps the old key, in the database and in every cache, when the audit entry cannot be written', async () => {
    const alice = (await t.registerUser('alice')).token
    const created = await t.request('POST', '/api/models', { token: alice, body: { displayName: 'm', providerKind: 'openai', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: FIRST } })
    const id = created.body.id as string
    expect((await t.request('POST', `/api/models/${id}/test`, { token: alice })).body.ok).toBe(true) // the model is cached now

    const failed = await t.request('POST', `/api/models/${id}/api-key`, { token: alice, body: { apiKey: SECOND } })
    expect(failed.status).toBe(500)
    const listed = (await t.request('GET', '/api/models', { token: alice })).body
    expect((listed.items ?? listed).find((m: { id: string }) => m.id === id)).toMatchObject({ apiKeyHint: 'AAAA' })
    upstream.reset()
    await t.request('POST', `/api/models/${id}/test`, { token: alice })
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${FIRST}`])
    expect(await t.db.client.auditLog.count({ where: { action: 'model.api_key_rotated' } })).toBe(0)

    failAudit = false
    expect((await t.request('POST', `/api/models/${id}/api-key`, { token: alice, body: { apiKey: SECOND } })).body).toMatchObject({ apiKeyHint: 'BBBB' })
    upstream.reset()
    await t.request('POST', `/api/models/${id}/test`, { token: alice })
    expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${SECOND}`])
    expect(await t.db.client.auditLog.count({ where: { action: 'model.api_key_rotated' } })).toBe(1)
  })
})
