import { describe, expect, it } from 'vitest'
import { COOLDOWN_MS, MAX_POOL_SIZE } from '../../../src/features/models/credential-pool.ts'
import { providerCredentialAad } from '../../../src/features/models/model-config.ts'
import { ProviderError } from '../../../src/features/providers/ai-provider.port.ts'
import { admin, OWN_KEY, poolKit, user } from './pool-kit.ts'

const K1 = 'sk-pool-one-0123456789abcdONE1'
const K2 = 'sk-pool-two-0123456789abcdTWO2'
const rejected = new ProviderError('PROVIDER_AUTH_FAILED', { provider: 'openai', status: 401, retryable: false, providerMessage: 'bad key' })
/** Lets fire-and-forget writes (health, row) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('credential pool use cases', () => {
  it('adds a key sealed to its own row, shows only its hint and audits without the key', async () => {
    const k = poolKit()
    const m = await k.model()
    const view = await k.add.execute({ actor: admin, configId: m.id, label: ' primary ', apiKey: `  ${K1} `, weight: 3 })
    expect(view).toEqual({ id: 'pc-0001', label: 'primary', hint: 'ONE1', weight: 3, enabled: true, createdAt: expect.any(String), state: 'ready', cooldownUntil: null, lastStatus: null })
    const row = k.pool.rows.get(view.id)!
    expect(k.box.open(row.ciphertext, providerCredentialAad(view.id))).toBe(K1)
    expect(() => k.box.open(row.ciphertext, providerCredentialAad('pc-other'))).toThrow()
    expect(k.audit.records).toMatchObject([{ action: 'model.credential_added', targetId: m.id, metadata: { credentialId: view.id, credentialHint: 'ONE1', weight: 3 } }])
    expect(JSON.stringify([view, k.audit.records])).not.toContain(K1)
  })

  it('manages system models only: 404 for unknown or personal models, 403 for users', async () => {
    const k = poolKit()
    const sys = await k.model()
    const personal = await k.model({ ownerId: admin.userId })
    const input = { label: 'x', apiKey: K1 }
    await expect(k.add.execute({ actor: admin, configId: 'nope', ...input })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.add.execute({ actor: admin, configId: personal.id, ...input })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.add.execute({ actor: user, configId: sys.id, ...input })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(k.list.execute({ actor: admin, configId: personal.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(k.add.execute({ actor: admin, configId: sys.id, label: 'x', apiKey: 'with space inside' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it(`refuses more than ${MAX_POOL_SIZE} keys per model`, async () => {
    const k = poolKit()
    const m = await k.model()
    for (let i = 0; i < MAX_POOL_SIZE; i++) await k.add.execute({ actor: admin, configId: m.id, label: `k${i}`, apiKey: `${K1}-${i}` })
    await expect(k.add.execute({ actor: admin, configId: m.id, label: 'one too many', apiKey: K2 })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('updates and removes a key of this model only, with audit entries', async () => {
    const k = poolKit()
    const [m1, m2] = [await k.model(), await k.model()]
    const c = await k.add.execute({ actor: admin, configId: m1.id, label: 'a', apiKey: K1 })
    await expect(k.update.execute({ actor: admin, configId: m2.id, credentialId: c.id, changes: { weight: 5 } })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await k.update.execute({ actor: admin, configId: m1.id, credentialId: c.id, changes: { weight: 5, enabled: false } })).toMatchObject({ weight: 5, enabled: false })
    await expect(k.remove.execute({ actor: admin, configId: m2.id, credentialId: c.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await k.remove.execute({ actor: admin, configId: m1.id, credentialId: c.id })
    expect((await k.list.execute({ actor: admin, configId: m1.id })).items).toEqual([])
    expect(k.audit.records.map((r) => r.action)).toEqual(['model.credential_added', 'model.credential_updated', 'model.credential_removed'])
  })
})

describe('ModelAccess with a pool', () => {
  it('orders the own key and the enabled pool keys by weighted draws; apiKey is the first choice', async () => {
    const k = poolKit()
    const m = await k.model()
    await k.add.execute({ actor: admin, configId: m.id, label: 'one', apiKey: K1, weight: 2 })
    const two = await k.add.execute({ actor: admin, configId: m.id, label: 'two', apiKey: K2, weight: 1 })
    await k.add.execute({ actor: admin, configId: m.id, label: 'off', apiKey: 'sk-disabled-0123456789abcd', weight: 100 })
    await k.update.execute({ actor: admin, configId: m.id, credentialId: 'pc-0003', changes: { enabled: false } })
    // Weights own 1, one 2, two 1 (total 4): 0.5 * 4 = 2 falls in "one"; then 0.9 * 2 in "two"; then the own key.
    k.draws.push(0.5, 0.9)
    const usable = await k.access.resolveForUse(user, m.id)
    expect(usable.candidates).toEqual([
      { credentialId: 'pc-0001', apiKey: K1 },
      { credentialId: two.id, apiKey: K2 },
      { credentialId: null, apiKey: OWN_KEY },
    ])
    expect(usable.apiKey).toBe(K1)
  })

  it('puts a key that failed on cooldown: tried last, shown as cooling, persisted on its row', async () => {
    const k = poolKit()
    const m = await k.model()
    const one = await k.add.execute({ actor: admin, configId: m.id, label: 'one', apiKey: K1 })
    const usable = await k.access.resolveForUse(user, m.id)
    usable.reportFailure!({ credentialId: one.id, apiKey: K1 }, rejected)
    usable.reportFailure!({ credentialId: null, apiKey: OWN_KEY }, new ProviderError('PROVIDER_BAD_REQUEST', { provider: 'openai', status: 400, retryable: false, providerMessage: 'bad' }))
    await settle()

    const until = new Date(k.clock.now().getTime() + COOLDOWN_MS.auth).toISOString()
    const pool = await k.list.execute({ actor: admin, configId: m.id })
    expect(pool.items).toMatchObject([{ id: one.id, state: 'cooling', lastStatus: 401, cooldownUntil: until }])
    expect(pool.modelKey).toEqual({ hint: OWN_KEY.slice(-4), state: 'ready', cooldownUntil: null, lastStatus: null })
    expect(k.pool.rows.get(one.id)).toMatchObject({ cooldownUntil: new Date(until), lastStatus: 401 })

    k.draws.push(0) // would pick "one" first if it were ready
    expect((await k.access.resolveForUse(user, m.id)).candidates!.map((c) => c.credentialId)).toEqual([null, one.id])

    k.clock.advance(COOLDOWN_MS.auth)
    expect((await k.list.execute({ actor: admin, configId: m.id })).items[0]).toMatchObject({ state: 'ready', lastStatus: 401, cooldownUntil: until })
  })

  it('falls back to the persisted cooldown when the live state was lost (a restart without Redis)', async () => {
    const k = poolKit()
    const m = await k.model()
    const one = await k.add.execute({ actor: admin, configId: m.id, label: 'one', apiKey: K1, weight: 100 })
    await k.pool.recordCooldown(one.id, new Date(k.clock.now().getTime() + 60_000), 429)
    k.draws.push(0)
    expect((await k.access.resolveForUse(user, m.id)).candidates!.map((c) => c.credentialId)).toEqual([null, one.id])
  })

  it('keeps a personal model to its own key, and a keyless model to the empty key', async () => {
    const k = poolKit()
    const personal = await k.model({ ownerId: user.userId })
    expect(await k.access.resolveForUse(user, personal.id)).toMatchObject({ apiKey: OWN_KEY, candidates: [{ credentialId: null, apiKey: OWN_KEY }] })
    const keyless = await k.model({}, null)
    expect(await k.access.resolveForUse(user, keyless.id)).toMatchObject({ apiKey: '', candidates: [{ credentialId: null, apiKey: '' }] })
    await k.add.execute({ actor: admin, configId: keyless.id, label: 'pool only', apiKey: K1 })
    expect((await k.access.resolveForUse(user, keyless.id)).candidates).toEqual([{ credentialId: 'pc-0001', apiKey: K1 }])
  })

  it('skips a pooled key that cannot be opened while another one can', async () => {
    const k = poolKit()
    const m = await k.model()
    const one = await k.add.execute({ actor: admin, configId: m.id, label: 'one', apiKey: K1 })
    k.pool.rows.get(one.id)!.ciphertext = k.pool.rows.get(one.id)!.ciphertext.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    expect((await k.access.resolveForUse(user, m.id)).candidates).toEqual([{ credentialId: null, apiKey: OWN_KEY }])
  })
})
