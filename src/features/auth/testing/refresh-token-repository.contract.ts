import { describe, expect, it } from 'vitest'
import type { RefreshTokenRepository } from '../refresh-token.repository.port.ts'

export interface RefreshTokenFixture {
  repo: RefreshTokenRepository
  /** A user id the tokens may reference (real databases need the row). */
  userId: string
}

const t0 = new Date('2026-01-01T00:00:00Z')
const later = new Date('2026-01-02T00:00:00Z')
let seq = 0

export function refreshTokenRepositoryContract(name: string, setup: () => Promise<RefreshTokenFixture>): void {
  describe(`RefreshTokenRepository contract: ${name}`, () => {
    const token = (userId: string, familyId: string) => {
      seq++
      return { id: `rt-${seq}-${Math.random().toString(36).slice(2, 8)}`, userId, tokenHash: `hash-${seq}-${Math.random()}`, familyId, expiresAt: later }
    }

    it('stores tokens and finds them by hash', async () => {
      const { repo, userId } = await setup()
      const t = token(userId, 'fam-a')
      await repo.create(t)
      expect(await repo.findByHash(t.tokenHash)).toMatchObject({ id: t.id, familyId: 'fam-a', usedAt: null, revokedAt: null })
      expect(await repo.findByHash('nope')).toBeNull()
    })

    it('lets exactly one of two racing consumers win', async () => {
      const { repo, userId } = await setup()
      const t = token(userId, 'fam-b')
      await repo.create(t)
      const results = await Promise.all([repo.consume(t.id, t0), repo.consume(t.id, t0)])
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await repo.findByHash(t.tokenHash))?.usedAt).toEqual(t0)
    })

    it('revokes a family, and a revoked token cannot be consumed', async () => {
      const { repo, userId } = await setup()
      const a = token(userId, 'fam-c')
      const b = token(userId, 'fam-c')
      const other = token(userId, 'fam-d')
      for (const t of [a, b, other]) await repo.create(t)
      expect(await repo.isFamilyActive('fam-c', t0)).toBe(true)
      await repo.revokeFamily('fam-c', t0)
      expect(await repo.isFamilyActive('fam-c', t0)).toBe(false)
      expect(await repo.consume(b.id, t0)).toBe(false)
      expect(await repo.isFamilyActive('fam-d', t0)).toBe(true)
    })

    it('revokes every family of a user, and expired families are inactive', async () => {
      const { repo, userId } = await setup()
      await repo.create(token(userId, 'fam-e'))
      await repo.create(token(userId, 'fam-f'))
      expect(await repo.isFamilyActive('fam-e', new Date('2026-01-03T00:00:00Z'))).toBe(false)
      await repo.revokeAllForUser(userId, t0)
      expect(await repo.isFamilyActive('fam-e', t0)).toBe(false)
      expect(await repo.isFamilyActive('fam-f', t0)).toBe(false)
    })
  })
}
