import { describe, expect, it } from 'vitest'
import { ids, newAccount, nextId, type UpstreamAccountFixture } from './upstream-account-fixtures.ts'

/** The pools part of upstreamAccountRepositoryContract (model configs and their accounts). */
export function upstreamAccountPoolsContract(setup: () => Promise<UpstreamAccountFixture>): void {
  describe('pools', () => {
    it('replaces a pool, lists its accounts oldest first, and the models of an account', async () => {
      const { repo, addModel } = await setup()
      const m1 = nextId('mc')
      const m2 = nextId('mc')
      await addModel(m1)
      await addModel(m2)
      const [a, b, c] = await repo.createMany([newAccount(), newAccount(), newAccount()])
      expect(await repo.accountsForModel(m1)).toEqual([])
      expect(await repo.modelsOf(a!.id)).toEqual([])

      await repo.replacePool(m1, [c!.id, a!.id])
      await repo.replacePool(m2, [b!.id, c!.id, b!.id]) // a repeated id counts once
      expect(await repo.accountsForModel(m1)).toEqual([a, c])
      expect(ids(await repo.accountsForModel(m2))).toEqual(ids([b!, c!]))
      expect(await repo.modelsOf(c!.id)).toEqual([m1, m2])
      expect(await repo.modelsOf(a!.id)).toEqual([m1])

      await repo.replacePool(m1, [b!.id])
      expect(ids(await repo.accountsForModel(m1))).toEqual([b!.id])
      expect(await repo.modelsOf(a!.id)).toEqual([])
      expect(await repo.modelsOf(b!.id)).toEqual([m1, m2])

      await repo.replacePool(m1, [])
      expect(await repo.accountsForModel(m1)).toEqual([])
      expect(ids(await repo.accountsForModel(m2))).toEqual(ids([b!, c!]))
      expect(await repo.accountsForModel('mc-missing')).toEqual([])
      expect(await repo.modelsOf('acc-missing')).toEqual([])
    })

    it('shows the stored state of pooled accounts', async () => {
      const { repo, addModel } = await setup()
      const m = nextId('mc')
      await addModel(m)
      const a = await repo.create(newAccount())
      await repo.replacePool(m, [a.id])
      const updated = await repo.update(a.id, { status: 'disabled' })
      expect(await repo.accountsForModel(m)).toEqual([updated])
    })

    it('leaves a pool as it was when the replacement names an unknown account', async () => {
      const { repo, addModel } = await setup()
      const m = nextId('mc')
      await addModel(m)
      const [a, b] = await repo.createMany([newAccount(), newAccount()])
      await repo.replacePool(m, [a!.id])
      await expect(repo.replacePool(m, [b!.id, 'acc-missing'])).rejects.toThrow()
      expect(ids(await repo.accountsForModel(m))).toEqual([a!.id])
    })

    it('deleting an account removes its memberships; the models survive', async () => {
      const { repo, addModel, modelExists } = await setup()
      const m1 = nextId('mc')
      const m2 = nextId('mc')
      await addModel(m1)
      await addModel(m2)
      const [a, b] = await repo.createMany([newAccount(), newAccount()])
      await repo.replacePool(m1, [a!.id, b!.id])
      await repo.replacePool(m2, [a!.id])
      await repo.delete(a!.id)
      expect(ids(await repo.accountsForModel(m1))).toEqual([b!.id])
      expect(await repo.accountsForModel(m2)).toEqual([])
      expect(await repo.modelsOf(a!.id)).toEqual([])
      expect(await modelExists(m1)).toBe(true)
      expect(await modelExists(m2)).toBe(true)
      // A re-created account with the same id starts with no memberships.
      await repo.create(newAccount({ id: a!.id }))
      expect(await repo.modelsOf(a!.id)).toEqual([])
    })

    it('deleting a model config drops its memberships; the accounts survive', async () => {
      const { repo, addModel, deleteModel, modelExists } = await setup()
      const m1 = nextId('mc')
      const m2 = nextId('mc')
      await addModel(m1)
      await addModel(m2)
      const [a, b] = await repo.createMany([newAccount(), newAccount()])
      await repo.replacePool(m1, [a!.id, b!.id])
      await repo.replacePool(m2, [b!.id])
      await deleteModel(m1)
      expect(await modelExists(m1)).toBe(false)
      expect(await repo.accountsForModel(m1)).toEqual([])
      expect(await repo.modelsOf(a!.id)).toEqual([])
      expect(await repo.modelsOf(b!.id)).toEqual([m2])
      expect(ids(await repo.list())).toEqual(ids([a!, b!]))
    })

    it('serializes concurrent replacements of one pool: one of them wins whole', async () => {
      const { repo, addModel } = await setup()
      const m = nextId('mc')
      await addModel(m)
      const [a, b, c, d] = await repo.createMany([newAccount(), newAccount(), newAccount(), newAccount()])
      await repo.replacePool(m, [a!.id])
      await Promise.all([repo.replacePool(m, [a!.id, b!.id]), repo.replacePool(m, [c!.id, d!.id]), repo.replacePool(m, [b!.id, d!.id])])
      const pool = ids(await repo.accountsForModel(m))
      expect([
        [a!.id, b!.id],
        [c!.id, d!.id],
        [b!.id, d!.id],
      ]).toContainEqual(pool)
    })
  })
}
