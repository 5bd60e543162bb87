import { describe, expect, it } from 'vitest'
import type { NewModelConfig } from '../model-config.ts'
import type { ModelConfigRepository } from '../model-config.repository.port.ts'
import type { SealedSecretStore } from '../sealed-secret.store.port.ts'
import type { AccountSecretColumns, PoolCredential } from './in-memory-model-store.ts'

export interface ModelStoreFixture {
  repo: ModelConfigRepository
  store: SealedSecretStore
  /** The owner row a personal model needs (a no-op for the fake). */
  addUser(id: string): Promise<void>
  /** Inserts a pooled credential of a system model directly (no slice writes them yet). */
  addPoolCredential(credential: PoolCredential): Promise<void>
  /** Inserts an upstream account with this sealed secret and proxy URL (the accounts slice writes them). */
  addAccount(account: AccountSecretColumns): Promise<void>
}

let seq = 0
/** Fixed-width ids sort the same in JS, SQLite and PostgreSQL collations. */
const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(6, '0')}`
const sealed = (keyId: string, n: number) => ({ ciphertext: `v1:${keyId}:iv${n}:tag${n}:body${n}`, keyId })

export const newConfig = (over: Partial<NewModelConfig> = {}): NewModelConfig => ({
  id: nextId('mc'),
  ownerId: null,
  providerKind: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  modelId: 'gpt-4o',
  displayName: 'GPT-4o',
  alias: null,
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  defaultParams: {},
  enabled: true,
  visibility: 'all',
  allowedUserIds: [],
  credential: null,
  ...over,
})

/** One behaviour for the in-memory fake and the Prisma adapters on SQLite and PostgreSQL. */
export function modelStoreContract(name: string, setup: () => Promise<ModelStoreFixture>): void {
  describe(`model store contract: ${name}`, () => {
    it('creates and reads a config back with every field, scope derived from the owner', async () => {
      const { repo, addUser } = await setup()
      await addUser('u-alice')
      const input = newConfig({
        ownerId: 'u-alice',
        providerKind: 'anthropic',
        alias: 'claude',
        defaultParams: { temperature: 0.3, topP: 0.9, stop: ['END'] },
        visibility: 'users',
        allowedUserIds: ['u-bob'],
        enabled: false,
        credential: { ...sealed('k1', 1), hint: 'wxyz' },
      })
      const created = await repo.create(input)
      const { credential, ...rest } = input
      expect(created).toMatchObject({ ...rest, scope: 'personal', credential })
      expect(created.createdAt).toBeInstanceOf(Date)
      expect(await repo.findById(input.id)).toEqual(created)
      expect(await repo.findById('missing')).toBeNull()
      expect((await repo.create(newConfig())).scope).toBe('system')
    })

    it("lists a user's own models and every system model, oldest first, never another user's", async () => {
      const { repo, addUser } = await setup()
      await addUser('u-alice')
      await addUser('u-bob')
      const a1 = await repo.create(newConfig({ ownerId: 'u-alice' }))
      const s1 = await repo.create(newConfig({ visibility: 'admins' }))
      await repo.create(newConfig({ ownerId: 'u-bob' }))
      const a2 = await repo.create(newConfig({ ownerId: 'u-alice' }))
      expect((await repo.listForUser('u-alice')).map((c) => c.id)).toEqual([a1.id, s1.id, a2.id])
      expect((await repo.listForUser('u-nobody')).map((c) => c.id)).toEqual([s1.id])
    })

    it('updates plain fields and leaves the rest, including the key, alone', async () => {
      const { repo } = await setup()
      const c = await repo.create(newConfig({ credential: { ...sealed('k1', 2), hint: 'abcd' } }))
      const updated = await repo.update(c.id, { displayName: 'Renamed', alias: null, allowedUserIds: ['x'], defaultParams: { temperature: 1 } })
      expect(updated).toMatchObject({ displayName: 'Renamed', alias: null, allowedUserIds: ['x'], defaultParams: { temperature: 1 }, modelId: 'gpt-4o' })
      expect(updated.credential).toEqual(c.credential)
      expect(await repo.findById(c.id)).toEqual(updated)
      await expect(repo.update('missing', { enabled: false })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('replaces the credential in one write; null removes it', async () => {
      const { repo } = await setup()
      const c = await repo.create(newConfig({ credential: { ...sealed('k1', 3), hint: 'old1' } }))
      const next = { ...sealed('k2', 4), hint: 'new1' }
      expect((await repo.replaceCredential(c.id, next)).credential).toEqual(next)
      expect((await repo.findById(c.id))?.credential).toEqual(next)
      expect((await repo.replaceCredential(c.id, null)).credential).toBeNull()
      expect((await repo.findById(c.id))?.credential).toBeNull()
      await expect(repo.replaceCredential('missing', next)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('deletes a config together with its pooled credentials', async () => {
      const { repo, store, addPoolCredential } = await setup()
      const c = await repo.create(newConfig({ credential: { ...sealed('k1', 5), hint: '' } }))
      await addPoolCredential({ id: nextId('pc'), modelConfigId: c.id, ...sealed('k1', 6), hint: 'pool' })
      expect(await store.countByKeyId()).toEqual({ k1: 2 })
      await repo.delete(c.id)
      expect(await repo.findById(c.id)).toBeNull()
      expect(await store.countByKeyId()).toEqual({})
      await expect(repo.delete(c.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('lists sealed secrets of both tables in (kind, id) pages, optionally excluding a key id', async () => {
      const { repo, store, addPoolCredential } = await setup()
      const a = await repo.create(newConfig({ credential: { ...sealed('old', 7), hint: '' } }))
      await repo.create(newConfig()) // no key: not a secret
      const b = await repo.create(newConfig({ credential: { ...sealed('new', 8), hint: '' } }))
      const c = await repo.create(newConfig({ credential: { ...sealed('old', 9), hint: '' } }))
      const p1 = nextId('pc')
      const p2 = nextId('pc')
      await addPoolCredential({ id: p1, modelConfigId: a.id, ...sealed('old', 10), hint: '' })
      await addPoolCredential({ id: p2, modelConfigId: a.id, ...sealed('new', 11), hint: '' })

      const all = await store.list({ limit: 10 })
      expect(all.map((s) => `${s.kind}/${s.id}/${s.keyId}`)).toEqual([
        `model-config/${a.id}/old`,
        `model-config/${b.id}/new`,
        `model-config/${c.id}/old`,
        `provider-credential/${p1}/old`,
        `provider-credential/${p2}/new`,
      ])
      expect(all[0]!.ciphertext).toBe(sealed('old', 7).ciphertext)

      const page1 = await store.list({ excludeKeyId: 'new', limit: 2 })
      expect(page1.map((s) => s.id)).toEqual([a.id, c.id])
      const page2 = await store.list({ excludeKeyId: 'new', limit: 2, after: page1.at(-1) })
      expect(page2.map((s) => s.id)).toEqual([p1])
      expect(await store.list({ excludeKeyId: 'new', limit: 2, after: page2.at(-1) })).toEqual([])
      expect(await store.countByKeyId()).toEqual({ old: 3, new: 2 })
    })

    it('reseals by compare-and-set: a value changed since it was read is left alone', async () => {
      const { repo, store, addPoolCredential } = await setup()
      const a = await repo.create(newConfig({ credential: { ...sealed('old', 12), hint: 'hint' } }))
      const b = await repo.create(newConfig({ credential: { ...sealed('old', 13), hint: 'hint' } }))
      const p = nextId('pc')
      await addPoolCredential({ id: p, modelConfigId: a.id, ...sealed('old', 14), hint: 'pool' })
      // b's key is rotated "concurrently" after the rotation read it.
      await repo.replaceCredential(b.id, { ...sealed('new', 15), hint: 'rot1' })

      const result = await store.resealMany([
        { ref: { kind: 'model-config', id: a.id }, expected: sealed('old', 12).ciphertext, next: sealed('new', 16) },
        { ref: { kind: 'model-config', id: b.id }, expected: sealed('old', 13).ciphertext, next: sealed('new', 17) },
        { ref: { kind: 'provider-credential', id: p }, expected: sealed('old', 14).ciphertext, next: sealed('new', 18) },
        { ref: { kind: 'model-config', id: 'missing' }, expected: 'x', next: sealed('new', 19) },
      ])
      expect(result).toEqual([true, false, true, false])
      expect((await repo.findById(a.id))?.credential).toEqual({ ...sealed('new', 16), hint: 'hint' })
      expect((await repo.findById(b.id))?.credential).toEqual({ ...sealed('new', 15), hint: 'rot1' })
      expect(await store.countByKeyId()).toEqual({ new: 3 })
      expect(await store.resealMany([])).toEqual([])
    })

    it('lists the secrets and proxy URLs of upstream accounts after the other kinds, paging across kinds', async () => {
      const { repo, store, addPoolCredential, addAccount } = await setup()
      const a = await repo.create(newConfig({ credential: { ...sealed('old', 20), hint: '' } }))
      const p = nextId('pc')
      await addPoolCredential({ id: p, modelConfigId: a.id, ...sealed('old', 21), hint: '' })
      const u1 = nextId('ua')
      const u2 = nextId('ua')
      const u3 = nextId('ua')
      await addAccount({ id: u1, secret: sealed('old', 22), proxy: sealed('old', 23) })
      await addAccount({ id: u2, secret: sealed('new', 24), proxy: null }) // direct: no proxy secret
      await addAccount({ id: u3, secret: sealed('old', 25), proxy: sealed('new', 26) })

      const all = await store.list({ limit: 10 })
      expect(all.map((s) => `${s.kind}/${s.id}/${s.keyId}`)).toEqual([
        `model-config/${a.id}/old`,
        `provider-credential/${p}/old`,
        `upstream-account/${u1}/old`,
        `upstream-account/${u2}/new`,
        `upstream-account/${u3}/old`,
        `upstream-account-proxy/${u1}/old`,
        `upstream-account-proxy/${u3}/new`,
      ])
      expect(all[2]!.ciphertext).toBe(sealed('old', 22).ciphertext)
      expect(all[5]!.ciphertext).toBe(sealed('old', 23).ciphertext)

      const refs = (page: { kind: string; id: string }[]) => page.map((s) => `${s.kind}/${s.id}`)
      const page1 = await store.list({ excludeKeyId: 'new', limit: 2 })
      expect(refs(page1)).toEqual([`model-config/${a.id}`, `provider-credential/${p}`])
      const page2 = await store.list({ excludeKeyId: 'new', limit: 2, after: page1.at(-1) })
      expect(refs(page2)).toEqual([`upstream-account/${u1}`, `upstream-account/${u3}`])
      const page3 = await store.list({ excludeKeyId: 'new', limit: 2, after: page2.at(-1) })
      expect(refs(page3)).toEqual([`upstream-account-proxy/${u1}`])
      expect(await store.list({ excludeKeyId: 'new', limit: 2, after: page3.at(-1) })).toEqual([])
      expect(await store.countByKeyId()).toEqual({ old: 5, new: 2 })
    })

    it('reseals account secrets and proxy URLs by compare-and-set, each on its own', async () => {
      const { store, addAccount } = await setup()
      const u1 = nextId('ua')
      const u2 = nextId('ua')
      await addAccount({ id: u1, secret: sealed('old', 30), proxy: sealed('old', 31) })
      await addAccount({ id: u2, secret: sealed('old', 32), proxy: null })

      const result = await store.resealMany([
        { ref: { kind: 'upstream-account', id: u1 }, expected: sealed('old', 30).ciphertext, next: sealed('new', 33) },
        { ref: { kind: 'upstream-account-proxy', id: u1 }, expected: sealed('old', 31).ciphertext, next: sealed('new', 34) },
        // A token refresh replaced u2's secret after the rotation read it: left alone.
        { ref: { kind: 'upstream-account', id: u2 }, expected: sealed('old', 99).ciphertext, next: sealed('new', 35) },
        { ref: { kind: 'upstream-account-proxy', id: u2 }, expected: sealed('old', 32).ciphertext, next: sealed('new', 36) }, // no proxy
        { ref: { kind: 'upstream-account', id: 'missing' }, expected: 'x', next: sealed('new', 37) },
      ])
      expect(result).toEqual([true, true, false, false, false])
      const stored = await store.list({ limit: 10 })
      expect(stored.map((s) => `${s.kind}/${s.id}/${s.ciphertext}`)).toEqual([
        `upstream-account/${u1}/${sealed('new', 33).ciphertext}`,
        `upstream-account/${u2}/${sealed('old', 32).ciphertext}`,
        `upstream-account-proxy/${u1}/${sealed('new', 34).ciphertext}`,
      ])
      expect(await store.countByKeyId()).toEqual({ new: 2, old: 1 })
    })
  })
}
