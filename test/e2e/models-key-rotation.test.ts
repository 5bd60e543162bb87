import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelAccess } from '../../src/features/models/model-access.port.ts'
import { modelConfigAad, providerCredentialAad } from '../../src/features/models/model-config.ts'
import { RotateMasterKey } from '../../src/features/models/rotate-master-key.use-case.ts'
import { SealedSecretStore, type StoredSecret } from '../../src/features/models/sealed-secret.store.port.ts'
import { AiProvider } from '../../src/features/providers/ai-provider.port.ts'
import type { Actor } from '../../src/shared/actor.ts'
import { AesGcmSecretBox, keyIdOf } from '../../src/shared/crypto/aes-gcm-secret-box.ts'
import { SecretBox } from '../../src/shared/crypto/secret-box.port.ts'
import { bindValue } from '../../src/shared/di.ts'
import { UuidV7Generator } from '../../src/shared/infra/uuid-v7.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'
import { createSiblingApp, expectNowhere, TEST_MASTER_KEY } from '../unit/models/models-test-app.ts'

const OLD = TEST_MASTER_KEY
const NEW = randomBytes(32)
const KEYS = ['sk-e2e-first-0123456789abcdef1111', 'sk-e2e-second-0123456789abcdef2222', 'sk-e2e-third-0123456789abcdef3333']
const SEEDED = Number(process.env.ROTATION_SECRETS ?? 120)

/** Inserts `n` personal models and `n / 4` pooled credentials, sealed under the OLD key; returns id -> plaintext. */
async function seed(t: TestApp, ownerId: string, n: number): Promise<Map<string, string>> {
  const box = new AesGcmSecretBox(OLD)
  const ids = new UuidV7Generator()
  const plain = new Map<string, string>()
  const configs = Array.from({ length: n }, (_, i) => {
    const id = ids.next()
    const key = `sk-seeded-${i}-${randomBytes(12).toString('hex')}`
    plain.set(`model-config:${id}`, key)
    const sealed = box.seal(key, modelConfigAad(id))
    return { id, ownerId, providerKind: 'openai', baseUrl: 'https://api.openai.com/v1', modelId: 'gpt-4o', displayName: `seed ${i}`, contextWindow: 128000, maxOutputTokens: 16384, credentialCiphertext: sealed.ciphertext, credentialKeyId: sealed.keyId, credentialHint: key.slice(-4) }
  })
  await t.db.client.modelConfig.createMany({ data: configs })
  const pool = Array.from({ length: Math.ceil(n / 4) }, (_, i) => {
    const id = ids.next()
    const key = `sk-pooled-${i}-${randomBytes(12).toString('hex')}`
    plain.set(`provider-credential:${id}`, key)
    return { id, modelConfigId: configs[i]!.id, label: `pool ${i}`, ...box.seal(key, providerCredentialAad(id)), hint: key.slice(-4) }
  })
  await t.db.client.providerCredential.createMany({ data: pool.map(({ ciphertext, keyId, ...rest }) => ({ ...rest, ciphertext, keyId })) })
  return plain
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`model keys end to end on ${kind}`, () => {
    let upstream: Upstream
    let a: TestApp
    let b: ReturnType<typeof createSiblingApp>
    let token: string
    let alice: Actor
    let modelId: string

    beforeAll(async () => {
      upstream = await startUpstream({ keys: KEYS })
      // The rolling procedure: every replica learns the new key before anything is sealed with it.
      // A still seals with OLD (NEW only as a previous key); B already seals with NEW.
      a = await createTestApp({ kind, override: (c) => bindValue(c, SecretBox, new AesGcmSecretBox(OLD, [NEW])) })
      const reg = await a.registerUser('alice')
      token = reg.token
      alice = { userId: reg.id, username: 'alice', role: 'USER' }
      b = createSiblingApp(a, { masterKey: NEW, previousMasterKeys: [OLD] })
    })
    afterAll(async () => {
      await b?.container.dispose()
      await a?.close()
      await upstream?.close()
    })

    it('creates a model with a key, reads it back without the key, and rotates the key', async () => {
      const created = await a.request('POST', '/api/models', { token, body: { providerKind: 'openai', modelId: 'gpt-4o', displayName: 'e2e', baseUrl: `${upstream.url}/v1`, apiKey: KEYS[0] } })
      expect(created.status).toBe(201)
      modelId = created.body.id
      const read = await a.request('GET', '/api/models', { token })
      expect(read.body.items).toEqual([expect.objectContaining({ id: modelId, hasApiKey: true, apiKeyHint: '1111' })])
      const rotated = await a.request('POST', `/api/models/${modelId}/api-key`, { token, body: { apiKey: KEYS[1], verify: true } })
      expect(rotated.body).toMatchObject({ apiKeyHint: '2222', verified: true })
      // The new replica reads values sealed by the old one (old key still in its keyring).
      expect((await b.container.resolve<ModelAccess>(ModelAccess).resolveForUse(alice, modelId)).apiKey).toBe(KEYS[1])
    })

    it('a request that is streaming finishes with the key it started with, even if the key is rotated meanwhile', async () => {
      upstream.reset()
      upstream.enqueue({ delayMs: 40, chunks: 5 })
      const model = await a.container.resolve<ModelAccess>(ModelAccess).resolveForUse(alice, modelId)
      const stream = a.container.resolve<AiProvider>(AiProvider).stream({ provider: 'openai', baseUrl: model.config.baseUrl, apiKey: model.apiKey, model: model.config.modelId, messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 50 })
      const events: string[] = []
      const iterator = stream[Symbol.asyncIterator]()
      events.push((await iterator.next()).value.type)
      expect((await b.request('POST', `/api/models/${modelId}/api-key`, { token, body: { apiKey: KEYS[2] } })).status).toBe(200)
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) events.push(r.value.type)
      expect(events.at(-1)).toBe('finish')
      expect(upstream.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${KEYS[1]}`])
      expect((await a.container.resolve<ModelAccess>(ModelAccess).resolveForUse(alice, modelId)).apiKey).toBe(KEYS[2])
    })

    it('rotates the master key while requests run on both replicas; every secret still decrypts; the old key can go', async () => {
      const plain = await seed(a, alice.userId, SEEDED)
      const seededIds = [...plain.keys()].filter((k) => k.startsWith('model-config:')).map((k) => k.slice('model-config:'.length))
      let stop = false
      const served = { a: 0, b: 0 }
      const errors: string[] = []
      const load = async (name: 'a' | 'b', access: ModelAccess, request: (id: string) => Promise<{ status: number; body: any }>) => {
        for (let i = 0; !stop; i++) {
          const id = seededIds[(i * 7) % seededIds.length]!
          const resolved = await access.resolveForUse(alice, id).catch((e: Error) => e)
          if (resolved instanceof Error || resolved.apiKey !== plain.get(`model-config:${id}`)) errors.push(`${name} resolve ${id}: ${String(resolved)}`)
          const tested = await request(modelId)
          if (tested.status !== 200 || !tested.body.ok) errors.push(`${name} test: ${JSON.stringify(tested.body)}`)
          served[name]++
          await sleep(10) // steady traffic, not a CPU-bound loop competing with the rotation
        }
      }
      const running = [
        load('a', a.container.resolve<ModelAccess>(ModelAccess), (id) => a.request('POST', `/api/models/${id}/test`, { token })),
        load('b', b.container.resolve<ModelAccess>(ModelAccess), (id) => b.request('POST', `/api/models/${id}/test`, { token })),
      ]
      // The old replica keeps sealing under OLD: once the rotation has passed the first batch, it
      // rotates the API key of a model the rotation already re-encrypted.
      const rewritten = seededIds[0]!
      let oldReplicaWrite: Promise<unknown> | undefined
      const progress: number[] = []
      const rotate = b.container.resolve(RotateMasterKey)
      const first = await rotate.execute({
        actor: null,
        batchSize: 25,
        onProgress: (p) => {
          progress.push(p.reencrypted)
          if (p.reencrypted >= 25) oldReplicaWrite ??= a.request('POST', `/api/models/${rewritten}/api-key`, { token, body: { apiKey: 'sk-written-by-old-replica-9999' } })
        },
      })
      plain.set(`model-config:${rewritten}`, 'sk-written-by-old-replica-9999')
      expect((await oldReplicaWrite) as { status: number }).toMatchObject({ status: 200 })
      stop = true
      await Promise.all(running)

      // The old replica is gone now; a second run (idempotent, resumable) picks up what it wrote.
      const second = await rotate.execute({ actor: null, batchSize: 25 })
      if (process.env.SHOW_ROTATION_REPORT) console.log(JSON.stringify({ kind, first, second, served }, null, 2))
      expect(errors).toEqual([])
      expect(served.a).toBeGreaterThan(0)
      expect(served.b).toBeGreaterThan(0)
      // The e2e model's key was last rotated by B, so it is already under the new key.
      expect(first.total).toBe(SEEDED + Math.ceil(SEEDED / 4))
      expect(first).toMatchObject({ reencrypted: first.total, skipped: 0, failed: 0 })
      expect(progress.length).toBeGreaterThan(SEEDED / 25)
      expect(second).toMatchObject({ total: 1, reencrypted: 1, failed: 0, remainingByKeyId: {}, oldKeysStillReferenced: [], canRemove: [keyIdOf(OLD)], unknownKeyIds: [] })

      // Proof: a keyring with ONLY the new key opens every stored secret, each still bound to its row.
      const newOnly = new AesGcmSecretBox(NEW)
      const store = b.container.resolve<SealedSecretStore>(SealedSecretStore)
      const all: StoredSecret[] = []
      for (let page = await store.list({ limit: 500 }); page.length; page = await store.list({ limit: 500, after: page.at(-1) })) all.push(...page)
      expect(all).toHaveLength(SEEDED + Math.ceil(SEEDED / 4) + 1)
      for (const s of all) {
        const aad = s.kind === 'model-config' ? modelConfigAad(s.id) : providerCredentialAad(s.id)
        expect(newOnly.open(s.ciphertext, aad)).toBe(s.id === modelId ? KEYS[2] : plain.get(`${s.kind}:${s.id}`))
      }
      for (const key of [...KEYS, 'sk-written-by-old-replica-9999']) expectNowhere(a, key, [])
    }, 120_000)
  })
}
