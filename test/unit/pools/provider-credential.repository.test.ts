import { describe, expect, it } from 'vitest'
import { PrismaProviderCredentialRepository } from '../../../src/features/models/adapters/prisma-provider-credential.repository.ts'
import type { ProviderCredentialRepository } from '../../../src/features/models/provider-credential.repository.port.ts'
import { InMemoryProviderCredentials } from '../../../src/features/models/testing/in-memory-provider-credentials.ts'
import { onEachDatabase } from '../../support/test-database.ts'

let seq = 0
const id = (p: string) => `${p}-${String(++seq).padStart(6, '0')}`
const newCredential = (modelConfigId: string, over: Partial<{ id: string; weight: number; label: string }> = {}) => ({
  id: over.id ?? id('pc'),
  modelConfigId,
  label: over.label ?? 'primary',
  ciphertext: 'v1:k1:iv:tag:body',
  keyId: 'k1',
  hint: 'WXYZ',
  weight: over.weight ?? 1,
  enabled: true,
})

function contract(name: string, make: () => Promise<{ repo: ProviderCredentialRepository; addModel(): Promise<string> }>) {
  describe(`ProviderCredentialRepository contract: ${name}`, () => {
    it('creates, lists oldest first, updates and deletes within one model only', async () => {
      const { repo, addModel } = await make()
      const [m1, m2] = [await addModel(), await addModel()]
      const a = await repo.create(newCredential(m1, { label: 'a', weight: 3 }))
      expect(a).toMatchObject({ label: 'a', weight: 3, enabled: true, cooldownUntil: null, lastStatus: null, hint: 'WXYZ' })
      const b = await repo.create(newCredential(m1, { label: 'b' }))
      await repo.create(newCredential(m2, { label: 'other' }))
      expect((await repo.listForModel(m1)).map((c) => c.label)).toEqual(['a', 'b'])

      expect(await repo.update(m2, a.id, { weight: 9 })).toBeNull()
      expect(await repo.update(m1, a.id, { weight: 9, enabled: false })).toMatchObject({ id: a.id, weight: 9, enabled: false, label: 'a' })
      expect(await repo.update(m1, a.id, {})).toMatchObject({ id: a.id, weight: 9 })
      expect(await repo.update(m2, a.id, {})).toBeNull()
      expect(await repo.delete(m2, b.id)).toBeNull()
      expect(await repo.delete(m1, b.id)).toMatchObject({ id: b.id, label: 'b' })
      expect(await repo.delete(m1, b.id)).toBeNull()
      expect((await repo.listForModel(m1)).map((c) => c.id)).toEqual([a.id])
    })

    it('persists a cooldown, never shortening it, and ignores a removed credential', async () => {
      const { repo, addModel } = await make()
      const m = await addModel()
      const c = await repo.create(newCredential(m))
      const later = new Date('2030-01-01T00:30:00Z')
      await repo.recordCooldown(c.id, later, 401)
      await repo.recordCooldown(c.id, new Date('2030-01-01T00:00:15Z'), 500)
      expect((await repo.listForModel(m))[0]).toMatchObject({ cooldownUntil: later, lastStatus: 401 })
      await repo.recordCooldown('pc-missing', later, 429)
    })
  })
}

contract('in-memory fake', async () => {
  let t = 0
  return { repo: new InMemoryProviderCredentials(() => new Date(Date.UTC(2026, 0, 1) + ++t)), addModel: async () => id('mc') }
})

onEachDatabase((db, kind) =>
  contract(`Prisma on ${kind}`, async () => ({
    repo: new PrismaProviderCredentialRepository(db()),
    addModel: async () => {
      const modelId = id('mc')
      await db().client.modelConfig.create({
        data: { id: modelId, providerKind: 'openai', baseUrl: 'http://x', modelId: 'gpt-4o', displayName: 'm', contextWindow: 1000, maxOutputTokens: 100 },
      })
      return modelId
    },
  })),
)
