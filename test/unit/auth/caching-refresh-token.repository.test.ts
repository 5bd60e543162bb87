import { describe, expect, it, vi } from 'vitest'
import { CachingRefreshTokenRepository } from '../../../src/features/auth/caching-refresh-token.repository.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

const OPTIONS = { maxAgeMs: 60_000, maxEntries: 100 }
const expiresAt = new Date('2026-03-08T10:00:00.000Z')
let seq = 0
const token = (familyId: string, userId = 'alice') => ({ id: `rt-${++seq}`, userId, tokenHash: `hash-${seq}`, familyId, expiresAt })

/** Two replicas' caches over one shared "database" and one invalidation bus; `reads` counts database reads. */
async function setup() {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z')
  const inner = new InMemoryRefreshTokenRepository()
  const reads = vi.spyOn(inner, 'familyActiveUntil')
  const bus = new InProcessCacheInvalidation()
  const a = new CachingRefreshTokenRepository(inner, bus, clock, OPTIONS)
  const b = new CachingRefreshTokenRepository(inner, bus, clock, OPTIONS)
  const first = token('fam-1')
  await a.create(first)
  await a.create(token('fam-2', 'bob'))
  return { clock, inner, reads, a, b, first }
}

describe('CachingRefreshTokenRepository', () => {
  it('answers the second check of a family from memory, and still against the clock', async () => {
    const { a, reads, clock } = await setup()
    expect(await a.isFamilyActive('fam-1', clock.now())).toBe(true)
    expect(await a.isFamilyActive('fam-1', clock.now())).toBe(true)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(await a.isFamilyActive('fam-1', expiresAt)).toBe(false)
    expect(reads).toHaveBeenCalledTimes(1)
  })

  it('a logout on one replica ends the login on the other at its next check', async () => {
    const { a, b, clock } = await setup()
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(true)
    await a.revokeFamily('fam-1', clock.now())
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(false)
    expect(await b.isFamilyActive('fam-2', clock.now())).toBe(true)
  })

  it("revoking a user's sessions ends every cached family of theirs", async () => {
    const { a, b, clock } = await setup()
    expect(await b.isFamilyActive('fam-2', clock.now())).toBe(true)
    await a.revokeAllForUser('bob', clock.now())
    expect(await b.isFamilyActive('fam-2', clock.now())).toBe(false)
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(true)
  })

  it('a rotation moves the cached expiry forward on every replica', async () => {
    const { a, b, first, clock } = await setup()
    expect(await b.familyActiveUntil('fam-1')).toEqual(expiresAt)
    const later = new Date('2026-03-20T10:00:00.000Z')
    expect(await a.rotate(first.id, { ...token('fam-1'), expiresAt: later }, clock.now())).toEqual({ rotated: true })
    expect(await b.familyActiveUntil('fam-1')).toEqual(later)
  })

  it('reads again after the safety-net age even without a message', async () => {
    const { inner, b, reads, clock } = await setup()
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(true)
    await inner.revokeFamily('fam-1', clock.now()) // a write nobody announced
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(true)
    clock.advance(OPTIONS.maxAgeMs)
    expect(await b.isFamilyActive('fam-1', clock.now())).toBe(false)
    expect(reads).toHaveBeenCalledTimes(2)
  })
})
