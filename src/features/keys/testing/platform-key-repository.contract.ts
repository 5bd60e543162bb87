import { describe, expect, it } from 'vitest'
import type { KeyOwner, NewPlatformKey } from '../platform-key.ts'
import type { PlatformKeyRepository } from '../platform-key.repository.port.ts'

export interface PlatformKeyRepositoryFixture {
  repo: PlatformKeyRepository
  createOwner(over?: { disabled?: boolean; role?: 'ADMIN' | 'USER' }): Promise<KeyOwner>
}

let seq = 0
const unique = (what: string) => `${what}-${++seq}-${Math.random().toString(36).slice(2, 8)}`
const newKey = (ownerId: string, over: Partial<NewPlatformKey> = {}): NewPlatformKey => ({
  id: unique('key'),
  ownerId,
  name: 'laptop',
  prefix: 'abcd1234',
  hash: unique('hash'),
  allowedModels: [],
  limits: {},
  expiresAt: null,
  ...over,
})
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One behaviour for every PlatformKeyRepository: the in-memory fake and Prisma on both databases. */
export function platformKeyRepositoryContract(name: string, setup: () => Promise<PlatformKeyRepositoryFixture>): void {
  describe(`PlatformKeyRepository contract: ${name}`, () => {
    it('creates a key and reads it back without any hash', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner()
      const expiresAt = new Date('2031-05-06T07:08:09.123Z')
      const created = await repo.create(newKey(owner.id, { allowedModels: ['gpt', 'm-1'], limits: { requestsPerMinute: 5, tokensPerDay: 1000 }, expiresAt }))
      expect(created).not.toHaveProperty('hash')
      expect(created).not.toHaveProperty('graceHash')
      expect(created).toMatchObject({ ownerId: owner.id, name: 'laptop', prefix: 'abcd1234', allowedModels: ['gpt', 'm-1'], expiresAt, revokedAt: null, lastUsedAt: null, graceExpiresAt: null })
      expect(created.limits).toEqual({ requestsPerMinute: 5, tokensPerDay: 1000 })
      expect(await repo.findById(created.id)).toEqual(created)
      expect(await repo.findById('missing')).toBeNull()
    })

    it('finds a key by the hash of its secret, with its owner', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner({ role: 'ADMIN' })
      const key = await repo.create(newKey(owner.id, { hash: 'h-current' }))
      expect(await repo.findBySecretHash('h-current')).toMatchObject({ matched: 'current', key: { id: key.id }, owner: { id: owner.id, role: 'ADMIN', disabled: false, username: owner.username } })
      expect(await repo.findBySecretHash('h-unknown')).toBeNull()
    })

    it('reports a disabled owner', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner({ disabled: true })
      await repo.create(newKey(owner.id, { hash: 'h-disabled' }))
      expect((await repo.findBySecretHash('h-disabled'))?.owner.disabled).toBe(true)
    })

    it('rotates atomically: the old secret becomes the grace secret, an older one is dropped', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner()
      const key = await repo.create(newKey(owner.id, { hash: 'h-1' }))
      const until = new Date(Date.now() + 3_600_000)
      const rotated = await repo.rotate(key.id, { hash: 'h-2', prefix: 'zzzz9999', graceExpiresAt: until })
      expect(rotated).toMatchObject({ id: key.id, prefix: 'zzzz9999', graceExpiresAt: until })
      expect((await repo.findBySecretHash('h-2'))?.matched).toBe('current')
      expect(await repo.findBySecretHash('h-1')).toMatchObject({ matched: 'grace', key: { id: key.id, graceExpiresAt: until } })

      const again = await repo.rotate(key.id, { hash: 'h-3', prefix: 'yyyy8888', graceExpiresAt: null })
      expect(again).toMatchObject({ graceExpiresAt: null, prefix: 'yyyy8888' })
      expect(await repo.findBySecretHash('h-1')).toBeNull()
      expect(await repo.findBySecretHash('h-2')).toBeNull()
      expect((await repo.findBySecretHash('h-3'))?.matched).toBe('current')
    })

    it('refuses to rotate a missing or revoked key', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner()
      const key = await repo.create(newKey(owner.id))
      expect(await repo.rotate('missing', { hash: 'x', prefix: 'p', graceExpiresAt: null })).toBeNull()
      await repo.revoke(key.id, new Date())
      expect(await repo.rotate(key.id, { hash: unique('h'), prefix: 'p', graceExpiresAt: null })).toBeNull()
    })

    it('revokes once; a revoked key is still found (so callers can say it is revoked)', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner()
      const key = await repo.create(newKey(owner.id, { hash: 'h-revoked' }))
      const at = new Date('2026-03-04T05:06:07.000Z')
      expect(await repo.revoke(key.id, at)).toBe(true)
      expect(await repo.revoke(key.id, new Date())).toBe(false)
      expect(await repo.revoke('missing', new Date())).toBe(false)
      expect((await repo.findById(key.id))?.revokedAt).toEqual(at)
      expect((await repo.findBySecretHash('h-revoked'))?.key.revokedAt).toEqual(at)
    })

    it('lists newest first, per owner or all, with paging', async () => {
      const { repo, createOwner } = await setup()
      const [alice, bob] = [await createOwner(), await createOwner()]
      const ids: string[] = []
      for (const name of ['a1', 'a2', 'a3']) {
        ids.push((await repo.create(newKey(alice.id, { name }))).id)
        await sleep(5)
      }
      await repo.create(newKey(bob.id, { name: 'b1' }))
      const page = await repo.list({ ownerId: alice.id, offset: 0, limit: 2 })
      expect(page.total).toBe(3)
      expect(page.items.map((k) => k.name)).toEqual(['a3', 'a2'])
      expect((await repo.list({ ownerId: alice.id, offset: 2, limit: 2 })).items.map((k) => k.id)).toEqual([ids[0]])
      const all = await repo.list({ offset: 0, limit: 100 })
      expect(all.items.map((k) => k.name)).toEqual(expect.arrayContaining(['a1', 'a2', 'a3', 'b1']))
      expect(all.items[0]!.name).toBe('b1')
    })

    it('touches lastUsedAt only when it is unset or not after notBefore', async () => {
      const { repo, createOwner } = await setup()
      const owner = await createOwner()
      const key = await repo.create(newKey(owner.id))
      const t0 = new Date('2026-01-01T00:00:00.000Z')
      await repo.touch(key.id, t0, new Date(t0.getTime() - 60_000))
      expect((await repo.findById(key.id))?.lastUsedAt).toEqual(t0)
      await repo.touch(key.id, new Date(t0.getTime() + 30_000), new Date(t0.getTime() - 30_000))
      expect((await repo.findById(key.id))?.lastUsedAt).toEqual(t0)
      const t1 = new Date(t0.getTime() + 61_000)
      await repo.touch(key.id, t1, new Date(t1.getTime() - 60_000))
      expect((await repo.findById(key.id))?.lastUsedAt).toEqual(t1)
    })
  })
}
