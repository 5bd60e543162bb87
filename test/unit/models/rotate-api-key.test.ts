import { describe, expect, it } from 'vitest'
import { modelConfigAad } from '../../../src/features/models/model-config.ts'
import { SECRET, alice, bob, fields, modelsKit, providerError, root } from './models-kit.ts'

const NEXT = 'sk-next-9876543210zyxwvuABCD'

describe('RotateApiKey', () => {
  it('replaces the key atomically: new value sealed, old gone, audited by hint only', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    const oldCiphertext = k.store.configs.get(model.id)!.credential!.ciphertext

    const view = await k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: NEXT })
    expect(view).toMatchObject({ hasApiKey: true, apiKeyHint: 'ABCD', verified: false })
    const stored = k.store.configs.get(model.id)!.credential!
    expect(stored.ciphertext).not.toBe(oldCiphertext)
    expect(k.box.open(stored.ciphertext, modelConfigAad(model.id))).toBe(NEXT)
    expect(JSON.stringify([...k.store.configs.values()])).not.toContain(oldCiphertext)
    expect(k.ai.requests).toHaveLength(0)

    const entry = k.audit.records.find((r) => r.action === 'model.api_key_rotated')!
    expect(entry).toMatchObject({ actorId: alice.userId, targetId: model.id })
    expect(entry.metadata).toEqual({ scope: 'personal', removed: false, verified: false, previousHint: 'WXYZ', credentialHint: 'ABCD' })
    const everything = JSON.stringify(k.audit.records) + JSON.stringify(view)
    for (const secret of [SECRET, NEXT, oldCiphertext, stored.ciphertext]) expect(everything).not.toContain(secret)
  })

  it('requests that already resolved the model keep the key they started with', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    const inFlight = await k.access.resolveForUse(alice, model.id)
    await k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: NEXT })
    expect(inFlight.apiKey).toBe(SECRET)
    expect((await k.access.resolveForUse(alice, model.id)).apiKey).toBe(NEXT)
  })

  it('verify: calls the provider with the NEW key first and refuses a key it rejects, changing nothing', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    const before = k.store.configs.get(model.id)!.credential

    k.ai.fail(providerError('PROVIDER_AUTH_FAILED', 'Incorrect API key provided: sk-next-****ABCD.'))
    const error = await k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: NEXT, verify: true }).catch((e: unknown) => e)
    // Status and code only: the provider's own text (here echoing part of the key) is not repeated.
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The provider rejected the new API key: OpenAI rejected the API key (HTTP 401)',
      details: [{ path: 'apiKey', providerCode: 'PROVIDER_AUTH_FAILED' }],
    })
    expect(k.ai.requests[0]).toMatchObject({ apiKey: NEXT, model: 'gpt-4o', provider: 'openai', baseUrl: 'https://api.openai.com/v1' })
    expect(k.store.configs.get(model.id)!.credential).toEqual(before)

    k.ai.fail(providerError('PROVIDER_UNAVAILABLE', 'overloaded', 503))
    await expect(k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: NEXT, verify: true })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'Could not verify the new key: OpenAI unavailable or overloaded (HTTP 503)',
    })
    expect(k.store.configs.get(model.id)!.credential).toEqual(before)
    expect(k.audit.records.filter((r) => r.action === 'model.api_key_rotated')).toHaveLength(0)

    const ok = await k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: NEXT, verify: true })
    expect(ok.verified).toBe(true)
    expect((await k.access.resolveForUse(alice, model.id)).apiKey).toBe(NEXT)
  })

  it('null removes the key; bad keys are refused; only managers rotate', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    const system = await k.create.execute({ actor: root, scope: 'system', fields: fields(), apiKey: SECRET })
    await expect(k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: '   ' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    await expect(k.rotateApiKey.execute({ actor: bob, configId: model.id, apiKey: NEXT })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.rotateApiKey.execute({ actor: root, configId: model.id, apiKey: NEXT })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.rotateApiKey.execute({ actor: alice, configId: system.id, apiKey: NEXT })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await k.rotateApiKey.execute({ actor: root, configId: system.id, apiKey: NEXT })).apiKeyHint).toBe('ABCD')

    const removed = await k.rotateApiKey.execute({ actor: alice, configId: model.id, apiKey: null, verify: true })
    expect(removed).toMatchObject({ hasApiKey: false, apiKeyHint: null, verified: false })
    expect(k.store.configs.get(model.id)!.credential).toBeNull()
    expect((await k.access.resolveForUse(alice, model.id)).apiKey).toBe('')
  })
})

describe('TestModelConfig', () => {
  it('makes a minimal call with the stored key and reports latency', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    expect(await k.test.execute({ actor: alice, configId: model.id })).toEqual({ ok: true, latencyMs: 42 })
    expect(k.ai.requests[0]).toMatchObject({ apiKey: SECRET, messages: [{ role: 'user', content: 'Say OK' }] })
    expect(k.ai.requests[0]!.maxOutputTokens).toBeLessThanOrEqual(16)
  })

  it("reports the provider's failure as a result (status and code, never its message), and tests keyless models with no key", async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields({ modelId: 'llama3', contextWindow: 8192, maxOutputTokens: 1024 }) })
    k.ai.fail(Object.assign(providerError('PROVIDER_BAD_REQUEST', 'model "llama3" not found, try pulling it first', 404), { providerCode: 'model_not_found' }))
    expect(await k.test.execute({ actor: alice, configId: model.id })).toEqual({
      ok: false,
      latencyMs: 42,
      error: { code: 'PROVIDER_BAD_REQUEST', message: 'OpenAI rejected the request (HTTP 404) [model_not_found]', status: 404, providerCode: 'model_not_found' },
    })
    expect(k.ai.requests[0]!.restricted).toBe(true) // a personal model: the outbound address policy applies
    expect(k.ai.requests[0]!.apiKey).toBe('')
  })

  it('is for managers: others get NOT_FOUND, users on system models FORBIDDEN', async () => {
    const k = await modelsKit()
    const model = await k.create.execute({ actor: alice, scope: 'personal', fields: fields() })
    const system = await k.create.execute({ actor: root, scope: 'system', fields: fields() })
    await expect(k.test.execute({ actor: bob, configId: model.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.test.execute({ actor: alice, configId: system.id })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await k.test.execute({ actor: root, configId: system.id })).ok).toBe(true)
    expect(k.ai.requests).toHaveLength(1)
  })
})
