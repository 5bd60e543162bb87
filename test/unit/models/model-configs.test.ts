import { describe, expect, it } from 'vitest'
import { modelConfigAad } from '../../../src/features/models/model-config.ts'
import { SECRET, alice, bob, fields, modelsKit, root } from './models-kit.ts'

describe('CreateModelConfig', () => {
  it('creates a personal model with defaults from the known-model table and a sealed key', async () => {
    const k = await modelsKit()
    const view = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: `  ${SECRET}  ` })
    expect(view).toMatchObject({
      scope: 'personal',
      providerKind: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      enabled: true,
      hasApiKey: true,
      apiKeyHint: 'WXYZ',
      defaultParams: {},
    })
    expect(view).not.toHaveProperty('visibility')
    expect(JSON.stringify(view)).not.toContain(SECRET)

    const stored = k.store.configs.get(view.id)!
    expect(stored.ownerId).toBe(alice.userId)
    expect(stored.credential?.ciphertext).not.toContain(SECRET)
    // Trimmed, and bound to this row.
    expect(k.box.open(stored.credential!.ciphertext, modelConfigAad(view.id))).toBe(SECRET)
    expect(() => k.box.open(stored.credential!.ciphertext, modelConfigAad('another'))).toThrow(/could not be decrypted/)

    expect(k.audit.records).toMatchObject([{ action: 'model.created', actorId: alice.userId, targetId: view.id }])
    expect(JSON.stringify(k.audit.records)).not.toContain(SECRET)
    expect(JSON.stringify(k.audit.records)).not.toContain(stored.credential!.ciphertext)
  })

  it("uses a known vendor's endpoint, dated model ids, user overrides, and allows keyless configs", async () => {
    const k = await modelsKit()
    const deepseek = await k.create.execute({ actor: alice, scope: 'personal', fields: fields({ modelId: 'deepseek-chat' }) })
    expect(deepseek).toMatchObject({ baseUrl: 'https://api.deepseek.com', contextWindow: 128_000, hasApiKey: false, apiKeyHint: null })
    const dated = await k.create.execute({ actor: alice, scope: 'personal', fields: fields({ providerKind: 'anthropic', modelId: 'claude-sonnet-4-20250514' }) })
    expect(dated).toMatchObject({ baseUrl: 'https://api.anthropic.com', contextWindow: 200_000, maxOutputTokens: 64_000 })
    const ollama = await k.create.execute({
      actor: alice,
      scope: 'personal',
      fields: fields({ modelId: 'llama3.1:8b', baseUrl: 'https://ollama.example.com/v1/', contextWindow: 8192, maxOutputTokens: 2048 }),
    })
    expect(ollama).toMatchObject({ baseUrl: 'https://ollama.example.com/v1', contextWindow: 8192, hasApiKey: false })
    const short = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: 'short-key' })
    expect(short.apiKeyHint).toBeNull()
  })

  it('a local endpoint (loopback, private, metadata): refused for a personal model unless the admin allows it; fine for a system model', async () => {
    const local = fields({ modelId: 'llama3.1:8b', baseUrl: 'http://127.0.0.1:11434/v1/', contextWindow: 8192, maxOutputTokens: 2048 })
    const strict = await modelsKit()
    await expect(strict.create.execute({ actor: alice, scope: 'personal', fields: local })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'baseUrl', message: '127.0.0.1 is a loopback address, which personal models may not reach; an administrator can allow it' }],
    })
    expect(await strict.create.execute({ actor: root, scope: 'system', fields: local })).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1' })
    const mine = await strict.create.execute({ actor: alice, scope: 'personal', fields: fields() })
    for (const baseUrl of ['http://192.168.1.10/v1', 'http://[fe80::1]/v1', 'http://169.254.169.254/', 'http://ollama.localhost/v1']) {
      await expect(strict.update.execute({ actor: alice, scope: 'personal', configId: mine.id, changes: { baseUrl } }), baseUrl).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    }
    expect(strict.store.configs.get(mine.id)!.baseUrl).toBe('https://api.openai.com/v1')

    const open = await modelsKit({ outbound: { allowPrivate: true, allowedHosts: [] } })
    expect(await open.create.execute({ actor: alice, scope: 'personal', fields: local })).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1' })
    await expect(open.create.execute({ actor: alice, scope: 'personal', fields: fields({ baseUrl: 'http://169.254.169.254/v1' }) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    const listed = await modelsKit({ outbound: { allowPrivate: false, allowedHosts: ['127.0.0.0/8'] } })
    expect(await listed.create.execute({ actor: alice, scope: 'personal', fields: local })).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1' })
  })

  it.each([
    ['a base URL with a query (the adapters\' paths would end up in it)', fields({ baseUrl: 'https://example.com/v1?x=' }), ['baseUrl']],
    ['an unknown model without limits', fields({ modelId: 'my-local-model' }), ['contextWindow', 'maxOutputTokens']],
    ['more output than context', fields({ contextWindow: 1000, maxOutputTokens: 2000 }), ['maxOutputTokens']],
    ['a non-http base URL', fields({ baseUrl: 'ftp://example.com' }), ['baseUrl']],
    ['credentials in the base URL', fields({ baseUrl: 'https://user:pw@example.com/v1' }), ['baseUrl']],
    ['a relative base URL', fields({ baseUrl: '/v1' }), ['baseUrl']],
    ['a bad alias', fields({ alias: 'has space' }), ['alias']],
    ['visibility on a personal model', fields({ visibility: 'admins' }), ['visibility']],
  ])('refuses %s with 400 and field details', async (_what, input, paths) => {
    const k = await modelsKit()
    const error = await k.create.execute({ actor: alice, scope: 'personal', fields: input }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((error as { details: Array<{ path: string }> }).details.map((d) => d.path)).toEqual(paths)
    expect(k.store.configs.size).toBe(0)
  })

  it('refuses a key with inner whitespace without echoing it', async () => {
    const k = await modelsKit()
    const error = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: 'sk-abc def-0123456789' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'apiKey' }] })
    expect(JSON.stringify(error) + String(error)).not.toContain('sk-abc def')
  })

  it('system models: admins only; the user list must name existing users', async () => {
    const k = await modelsKit()
    await expect(k.create.execute({ actor: alice, scope: 'system', fields: fields() })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(
      k.create.execute({ actor: root, scope: 'system', fields: fields({ visibility: 'users', allowedUserIds: ['u-bob', 'u-ghost'] }) }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'allowedUserIds', message: 'unknown user id(s): u-ghost' }] })
    const view = await k.create.execute({ actor: root, scope: 'system', fields: fields({ visibility: 'users', allowedUserIds: ['u-bob', 'u-bob'] }) })
    expect(view).toMatchObject({ scope: 'system', visibility: 'users', allowedUserIds: ['u-bob'] })
  })
})

describe('UpdateModelConfig and DeleteModelConfig', () => {
  it('change only what the owner manages; anything else reads as not found', async () => {
    const k = await modelsKit()
    const mine = await k.create.execute({ actor: alice, scope: 'personal', fields: fields() })
    const system = await k.create.execute({ actor: root, scope: 'system', fields: fields() })
    for (const actor of [bob, root]) {
      await expect(k.update.execute({ actor, scope: 'personal', configId: mine.id, changes: { displayName: 'x' } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
      await expect(k.remove.execute({ actor, scope: 'personal', configId: mine.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
    // A system model through the personal route, or a personal one through the system route: not found.
    await expect(k.update.execute({ actor: root, scope: 'personal', configId: system.id, changes: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.update.execute({ actor: alice, scope: 'system', configId: mine.id, changes: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // Visible to alice, but not hers to change.
    await expect(k.update.execute({ actor: alice, scope: 'system', configId: system.id, changes: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(k.update.execute({ actor: alice, scope: 'personal', configId: 'missing', changes: {} })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('updates fields, validates the merged limits, and audits what changed (not no-ops)', async () => {
    const k = await modelsKit()
    const mine = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    await expect(
      k.update.execute({ actor: alice, scope: 'personal', configId: mine.id, changes: { maxOutputTokens: 200_000 } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'maxOutputTokens' }] })

    const updated = await k.update.execute({
      actor: alice,
      scope: 'personal',
      configId: mine.id,
      changes: { displayName: 'Mine', defaultParams: { temperature: 0.2 }, enabled: false, baseUrl: 'https://proxy.example.com/v1/' },
    })
    expect(updated).toMatchObject({ displayName: 'Mine', defaultParams: { temperature: 0.2 }, enabled: false, baseUrl: 'https://proxy.example.com/v1', hasApiKey: true })
    await k.update.execute({ actor: alice, scope: 'personal', configId: mine.id, changes: { displayName: 'Mine' } })
    const updates = k.audit.records.filter((r) => r.action === 'model.updated')
    expect(updates).toHaveLength(1)
    expect(updates[0]!.metadata).toEqual({ scope: 'personal', changed: ['baseUrl', 'defaultParams', 'displayName', 'enabled'] })
  })

  it('deletes with an audit entry; admins manage system models and their visibility', async () => {
    const k = await modelsKit()
    const system = await k.create.execute({ actor: root, scope: 'system', fields: fields() })
    const updated = await k.update.execute({ actor: root, scope: 'system', configId: system.id, changes: { visibility: 'users', allowedUserIds: ['u-alice'] } })
    expect(updated).toMatchObject({ visibility: 'users', allowedUserIds: ['u-alice'] })
    await k.remove.execute({ actor: root, scope: 'system', configId: system.id })
    expect(k.store.configs.size).toBe(0)
    expect(k.audit.records.map((r) => r.action)).toEqual(['model.created', 'model.updated', 'model.deleted'])
  })
})
