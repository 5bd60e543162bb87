import { describe, expect, it, vi } from 'vitest'
import {
  AnnouncingSealedSecretStore,
  CachingModelConfigRepository,
  CachingProviderCredentialRepository,
  MODEL_CONFIGS_TOPIC,
} from '../../../src/features/models/caching-model-repositories.ts'
import type { NewModelConfig } from '../../../src/features/models/model-config.ts'
import type { NewProviderCredential } from '../../../src/features/models/provider-credential.repository.port.ts'
import { InMemoryModelStore } from '../../../src/features/models/testing/in-memory-model-store.ts'
import { InMemoryProviderCredentials } from '../../../src/features/models/testing/in-memory-provider-credentials.ts'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

const OPTIONS = { maxAgeMs: 60_000, maxEntries: 100 }

const config = (id: string, over: Partial<NewModelConfig> = {}): NewModelConfig => ({
  id,
  ownerId: null,
  providerKind: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  modelId: 'gpt-4o',
  displayName: id,
  alias: null,
  contextWindow: 128_000,
  maxOutputTokens: 4096,
  defaultParams: {},
  enabled: true,
  visibility: 'all',
  allowedUserIds: [],
  credential: { ciphertext: `sealed-${id}`, keyId: 'k1', hint: 'abcd' },
  ...over,
})

const credential = (id: string, modelConfigId: string): NewProviderCredential => ({
  id,
  modelConfigId,
  label: id,
  hint: 'wxyz',
  weight: 1,
  enabled: true,
  ciphertext: `sealed-${id}`,
  keyId: 'k1',
})

/**
 * One shared "database" (the in-memory stores) and one invalidation bus, with two replicas (a, b)
 * each wrapping them in the caching repositories; the spies count what reached the database.
 */
async function setup() {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z')
  const store = new InMemoryModelStore(() => clock.now())
  const pool = new InMemoryProviderCredentials(() => clock.now())
  const bus = new InProcessCacheInvalidation()
  const published = vi.spyOn(bus, 'publish')
  const configReads = vi.spyOn(store, 'findById')
  const poolReads = vi.spyOn(pool, 'listForModel')
  const replica = () => ({
    configs: new CachingModelConfigRepository(store, bus, clock, OPTIONS),
    pool: new CachingProviderCredentialRepository(pool, bus, clock, OPTIONS),
    secrets: new AnnouncingSealedSecretStore(store, bus),
  })
  const [a, b] = [replica(), replica()]
  await a.configs.create(config('m1'))
  await a.configs.create(config('m2'))
  await a.pool.create(credential('c1', 'm1'))
  await a.pool.create(credential('c2', 'm2'))
  published.mockClear()
  return {
    clock,
    store,
    pool,
    bus,
    published,
    a,
    b,
    configReadsOf: (id: string) => configReads.mock.calls.filter(([x]) => x === id).length,
    poolReadsOf: (id: string) => poolReads.mock.calls.filter(([x]) => x === id).length,
  }
}

describe('CachingModelConfigRepository', () => {
  it('serves the second read of a model from memory', async () => {
    const { b, configReadsOf } = await setup()
    const first = await b.configs.findById('m1')
    expect(first).toMatchObject({ id: 'm1', enabled: true, credential: { ciphertext: 'sealed-m1' } })
    expect(await b.configs.findById('m1')).toEqual(first)
    expect(configReadsOf('m1')).toBe(1)
  })

  it('an update on one replica makes the next read on every replica go to the database', async () => {
    const { a, b, published, configReadsOf } = await setup()
    await b.configs.findById('m1')
    await b.configs.findById('m2')
    await a.configs.update('m1', { enabled: false })
    expect(published).toHaveBeenCalledWith(MODEL_CONFIGS_TOPIC, ['m1'])
    expect((await b.configs.findById('m1'))?.enabled).toBe(false)
    expect(configReadsOf('m1')).toBe(2)
    await b.configs.findById('m2')
    expect(configReadsOf('m2')).toBe(1)
  })

  it('a deletion is seen at once, and the missing model is never cached', async () => {
    const { a, b, configReadsOf } = await setup()
    await b.configs.findById('m1')
    await a.configs.delete('m1')
    expect(await b.configs.findById('m1')).toBeNull()
    expect(await b.configs.findById('m1')).toBeNull()
    expect(configReadsOf('m1')).toBe(3)
  })

  it('never caches an unknown id, so a model created later is found', async () => {
    const { a, b, configReadsOf } = await setup()
    expect(await b.configs.findById('m3')).toBeNull()
    expect(await b.configs.findById('m3')).toBeNull()
    expect(configReadsOf('m3')).toBe(2)
    await a.configs.create(config('m3'))
    expect(await b.configs.findById('m3')).toMatchObject({ id: 'm3' })
  })

  it("a key rotation (replaceCredential) drops the model's cached ciphertext on every replica", async () => {
    const { a, b } = await setup()
    expect((await b.configs.findById('m1'))?.credential?.ciphertext).toBe('sealed-m1')
    await a.configs.replaceCredential('m1', { ciphertext: 'sealed-m1-new', keyId: 'k1', hint: 'efgh' })
    expect((await b.configs.findById('m1'))?.credential).toEqual({ ciphertext: 'sealed-m1-new', keyId: 'k1', hint: 'efgh' })
  })

  it('a master-key re-seal drops every cached model (ids unknown to the message)', async () => {
    const { a, b, published, configReadsOf } = await setup()
    await b.configs.findById('m1')
    await b.configs.findById('m2')
    const [m1] = await a.secrets.list({ limit: 1 })
    expect(await a.secrets.resealMany([{ ref: { kind: m1!.kind, id: m1!.id }, expected: m1!.ciphertext, next: { ciphertext: 'resealed', keyId: 'k2' } }])).toEqual([true])
    expect(published).toHaveBeenCalledWith(MODEL_CONFIGS_TOPIC, null)
    expect((await b.configs.findById(m1!.id))?.credential).toMatchObject({ ciphertext: 'resealed', keyId: 'k2' })
    await b.configs.findById('m2')
    expect([configReadsOf('m1'), configReadsOf('m2')]).toEqual([2, 2])
  })

  it('does not keep a read that started before an update and finished after it', async () => {
    const { a, b, store } = await setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const real = store.findById.bind(store)
    vi.mocked(store.findById).mockImplementationOnce(async (id) => {
      const stale = await real(id)
      await gate
      return stale
    })
    const slow = b.configs.findById('m1')
    await a.configs.update('m1', { displayName: 'renamed' })
    release()
    expect((await slow)?.displayName).toBe('m1')
    expect((await b.configs.findById('m1'))?.displayName).toBe('renamed')
  })

  it('reads a model again after maxAgeMs even when no invalidation came', async () => {
    const { b, clock, configReadsOf } = await setup()
    await b.configs.findById('m1')
    clock.advance(OPTIONS.maxAgeMs)
    await b.configs.findById('m1')
    expect(configReadsOf('m1')).toBe(2)
  })

  it('hands out frozen configs', async () => {
    const { b } = await setup()
    const found = (await b.configs.findById('m1'))!
    expect(() => (found.allowedUserIds as string[]).push('intruder')).toThrow(TypeError)
    expect(() => {
      ;(found as { enabled: boolean }).enabled = false
    }).toThrow(TypeError)
    expect((await b.configs.findById('m1'))?.enabled).toBe(true)
  })
})

describe('CachingProviderCredentialRepository', () => {
  it("serves a model's pool from memory, per model", async () => {
    const { b, poolReadsOf } = await setup()
    expect((await b.pool.listForModel('m1')).map((c) => c.id)).toEqual(['c1'])
    expect((await b.pool.listForModel('m1')).map((c) => c.id)).toEqual(['c1'])
    expect((await b.pool.listForModel('m2')).map((c) => c.id)).toEqual(['c2'])
    expect([poolReadsOf('m1'), poolReadsOf('m2')]).toEqual([1, 1])
  })

  it('a credential added, changed or removed on one replica is seen on the next read of every replica', async () => {
    const { a, b, published, poolReadsOf } = await setup()
    await b.pool.listForModel('m1')
    await b.pool.listForModel('m2')

    await a.pool.create(credential('c3', 'm1'))
    expect(published).toHaveBeenLastCalledWith(MODEL_CONFIGS_TOPIC, ['m1'])
    expect((await b.pool.listForModel('m1')).map((c) => c.id)).toEqual(['c1', 'c3'])

    await a.pool.update('m1', 'c3', { enabled: false })
    expect((await b.pool.listForModel('m1')).find((c) => c.id === 'c3')?.enabled).toBe(false)

    await a.pool.delete('m1', 'c1')
    expect((await b.pool.listForModel('m1')).map((c) => c.id)).toEqual(['c3'])

    expect(poolReadsOf('m1')).toBe(4)
    await b.pool.listForModel('m2')
    expect(poolReadsOf('m2')).toBe(1)
  })

  it('keeps an empty pool cached until a credential is added', async () => {
    const { a, b, store, poolReadsOf } = await setup()
    await store.create({ ...config('m3'), credential: null })
    expect(await b.pool.listForModel('m3')).toEqual([])
    expect(await b.pool.listForModel('m3')).toEqual([])
    expect(poolReadsOf('m3')).toBe(1)
    await a.pool.create(credential('c9', 'm3'))
    expect((await b.pool.listForModel('m3')).map((c) => c.id)).toEqual(['c9'])
  })

  it("a model's own change or deletion drops its cached pool too", async () => {
    const { a, b, poolReadsOf } = await setup()
    await b.pool.listForModel('m1')
    await a.configs.update('m1', { enabled: false })
    await b.pool.listForModel('m1')
    expect(poolReadsOf('m1')).toBe(2)
    await a.configs.delete('m1') // (the two fakes are separate tables: the pool row outlives it here)
    await b.pool.listForModel('m1')
    expect(poolReadsOf('m1')).toBe(3)
  })

  it('a re-seal drops every cached pool', async () => {
    const { a, b, poolReadsOf } = await setup()
    await b.pool.listForModel('m1')
    await b.pool.listForModel('m2')
    await a.secrets.resealMany([])
    await b.pool.listForModel('m1')
    await b.pool.listForModel('m2')
    expect([poolReadsOf('m1'), poolReadsOf('m2')]).toEqual([2, 2])
  })

  it('a recorded cooldown drops the local copy only, without telling other replicas', async () => {
    const { a, b, published, poolReadsOf } = await setup()
    await a.pool.listForModel('m1')
    await b.pool.listForModel('m1')
    const until = new Date('2026-03-01T10:05:00Z')
    await a.pool.recordCooldown('c1', until, 429)
    expect(published).not.toHaveBeenCalled()
    expect((await a.pool.listForModel('m1'))[0]).toMatchObject({ id: 'c1', cooldownUntil: until, lastStatus: 429 })
    expect((await b.pool.listForModel('m1'))[0]).toMatchObject({ id: 'c1', cooldownUntil: null })
    expect(poolReadsOf('m1')).toBe(3)
  })

  it('does not keep a pool read that an added credential overtook', async () => {
    const { a, b, pool } = await setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const real = pool.listForModel.bind(pool)
    vi.mocked(pool.listForModel).mockImplementationOnce(async (id) => {
      const stale = await real(id)
      await gate
      return stale
    })
    const slow = b.pool.listForModel('m1')
    await a.pool.create(credential('c3', 'm1'))
    release()
    expect((await slow).map((c) => c.id)).toEqual(['c1'])
    expect((await b.pool.listForModel('m1')).map((c) => c.id)).toEqual(['c1', 'c3'])
  })
})
