import { describe, expect, it, vi } from 'vitest'
import { CachingPlatformKeyRepository, PLATFORM_KEYS_TOPIC } from '../../../src/features/keys/caching-platform-key.repository.ts'
import type { NewPlatformKey } from '../../../src/features/keys/platform-key.ts'
import { InMemoryPlatformKeyRepository } from '../../../src/features/keys/testing/in-memory-platform-key.repository.ts'
import { AnnouncingUserRepository } from '../../../src/features/users/announcing-user.repository.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { USERS_TOPIC } from '../../../src/features/users/user.repository.port.ts'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

const OPTIONS = { maxAgeMs: 60_000, maxEntries: 100 }

const newKey = (id: string, ownerId: string, hash: string): NewPlatformKey => ({
  id,
  ownerId,
  name: id,
  prefix: hash.slice(0, 8).padEnd(8, '0'),
  hash,
  allowedModels: [],
  limits: {},
  expiresAt: null,
})

/**
 * One shared "database" (the in-memory repository) and one invalidation bus, with two replicas'
 * caching repositories over them; `reads` counts the lookups that reached the database.
 */
async function setup() {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z')
  const inner = new InMemoryPlatformKeyRepository(() => clock.now())
  inner.addOwner({ id: 'alice' })
  inner.addOwner({ id: 'bob' })
  const reads = vi.spyOn(inner, 'findBySecretHash')
  const bus = new InProcessCacheInvalidation()
  const published = vi.spyOn(bus, 'publish')
  const a = new CachingPlatformKeyRepository(inner, bus, clock, OPTIONS)
  const b = new CachingPlatformKeyRepository(inner, bus, clock, OPTIONS)
  await a.create(newKey('k-alice', 'alice', 'hash-alice'))
  await a.create(newKey('k-alice-2', 'alice', 'hash-alice-2'))
  await a.create(newKey('k-bob', 'bob', 'hash-bob'))
  return { clock, inner, reads, bus, published, a, b, readsOf: (hash: string) => reads.mock.calls.filter(([h]) => h === hash).length }
}

describe('CachingPlatformKeyRepository', () => {
  it('serves the second lookup of a secret hash from memory', async () => {
    const { a, readsOf } = await setup()
    const first = await a.findBySecretHash('hash-alice')
    const second = await a.findBySecretHash('hash-alice')
    expect(first).toMatchObject({ key: { id: 'k-alice', ownerId: 'alice' }, owner: { id: 'alice', disabled: false }, matched: 'current' })
    expect(second).toEqual(first)
    expect(readsOf('hash-alice')).toBe(1)
  })

  it('never caches an unknown secret: each lookup asks the database, and a key created later is found', async () => {
    const { a, readsOf } = await setup()
    expect(await a.findBySecretHash('hash-new')).toBeNull()
    expect(await a.findBySecretHash('hash-new')).toBeNull()
    expect(readsOf('hash-new')).toBe(2)
    await a.create(newKey('k-new', 'bob', 'hash-new'))
    expect(await a.findBySecretHash('hash-new')).toMatchObject({ key: { id: 'k-new' } })
  })

  it('a revoke on one replica makes the next lookup on every replica read the database', async () => {
    const { a, b, readsOf, published } = await setup()
    await a.findBySecretHash('hash-alice')
    await b.findBySecretHash('hash-alice')
    await b.findBySecretHash('hash-bob')
    const before = readsOf('hash-alice')
    expect(await a.revoke('k-alice', new Date('2026-03-01T10:01:00Z'))).toBe(true)
    expect(published).toHaveBeenCalledWith(PLATFORM_KEYS_TOPIC, ['k-alice'])
    expect((await b.findBySecretHash('hash-alice'))?.key.revokedAt).toEqual(new Date('2026-03-01T10:01:00Z'))
    expect((await a.findBySecretHash('hash-alice'))?.key.revokedAt).toEqual(new Date('2026-03-01T10:01:00Z'))
    expect(readsOf('hash-alice')).toBe(before + 2)
    // Other keys stay cached.
    await b.findBySecretHash('hash-bob')
    expect(readsOf('hash-bob')).toBe(1)
  })

  it('a rotation without grace drops the old secret at once; the new one is found', async () => {
    const { a, b, readsOf } = await setup()
    expect(await b.findBySecretHash('hash-alice')).not.toBeNull()
    expect(await a.rotate('k-alice', { hash: 'hash-alice-rotated', prefix: 'rotated0', graceExpiresAt: null })).toMatchObject({ id: 'k-alice' })
    expect(await b.findBySecretHash('hash-alice')).toBeNull()
    expect(await b.findBySecretHash('hash-alice-rotated')).toMatchObject({ key: { id: 'k-alice', prefix: 'rotated0' }, matched: 'current' })
    expect(readsOf('hash-alice')).toBe(2)
  })

  it('a rotation with grace makes the old secret match as the grace secret, with its end', async () => {
    const { a, b, clock } = await setup()
    expect((await b.findBySecretHash('hash-alice'))?.matched).toBe('current')
    const graceExpiresAt = new Date(clock.now().getTime() + 600_000)
    await a.rotate('k-alice', { hash: 'hash-alice-rotated', prefix: 'rotated0', graceExpiresAt })
    expect(await b.findBySecretHash('hash-alice')).toMatchObject({ matched: 'grace', key: { graceExpiresAt } })
  })

  it("an owner's change (users topic) drops that owner's keys only", async () => {
    const { b, inner, bus, readsOf } = await setup()
    for (const hash of ['hash-alice', 'hash-alice-2', 'hash-bob']) await b.findBySecretHash(hash)
    inner.owners.set('alice', { ...inner.owners.get('alice')!, disabled: true, role: 'ADMIN' })
    await bus.publish(USERS_TOPIC, ['alice'])
    expect((await b.findBySecretHash('hash-alice'))?.owner).toMatchObject({ disabled: true, role: 'ADMIN' })
    expect((await b.findBySecretHash('hash-alice-2'))?.owner).toMatchObject({ disabled: true, role: 'ADMIN' })
    await b.findBySecretHash('hash-bob')
    expect([readsOf('hash-alice'), readsOf('hash-alice-2'), readsOf('hash-bob')]).toEqual([2, 2, 1])
  })

  it('the user repository announces updates and deletions on the users topic, and the key cache follows', async () => {
    const { b, inner, bus, published, readsOf } = await setup()
    const users = new AnnouncingUserRepository(new InMemoryUserRepository(), bus)
    await users.create({ id: 'alice', username: 'alice', passwordHash: 'x', role: 'USER' })
    await users.create({ id: 'root', username: 'root', passwordHash: 'x', role: 'ADMIN' }) // so alice is not the last admin
    expect(published).not.toHaveBeenCalledWith(USERS_TOPIC, expect.anything())

    await b.findBySecretHash('hash-alice')
    inner.owners.set('alice', { ...inner.owners.get('alice')!, role: 'ADMIN' })
    await users.update('alice', { role: 'ADMIN' })
    expect(published).toHaveBeenLastCalledWith(USERS_TOPIC, ['alice'])
    expect((await b.findBySecretHash('hash-alice'))?.owner.role).toBe('ADMIN')
    expect(readsOf('hash-alice')).toBe(2)

    inner.owners.delete('alice') // the database drops the owner's keys with the owner
    await users.delete('alice')
    expect(published).toHaveBeenLastCalledWith(USERS_TOPIC, ['alice'])
    expect(await b.findBySecretHash('hash-alice')).toBeNull()
  })

  it('a failed user update announces nothing', async () => {
    const { bus, published } = await setup()
    const users = new AnnouncingUserRepository(new InMemoryUserRepository(), bus)
    await expect(users.update('nobody', { disabled: true })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(published).not.toHaveBeenCalled()
  })

  it('"anything may have changed" (null ids) drops every cached key, on either topic', async () => {
    const { b, bus, readsOf } = await setup()
    for (const hash of ['hash-alice', 'hash-bob']) await b.findBySecretHash(hash)
    await bus.publish(PLATFORM_KEYS_TOPIC, null)
    for (const hash of ['hash-alice', 'hash-bob']) await b.findBySecretHash(hash)
    expect([readsOf('hash-alice'), readsOf('hash-bob')]).toEqual([2, 2])
    bus.deliver(null, null) // what a resubscription does
    for (const hash of ['hash-alice', 'hash-bob']) await b.findBySecretHash(hash)
    expect([readsOf('hash-alice'), readsOf('hash-bob')]).toEqual([3, 3])
    await bus.publish(USERS_TOPIC, null)
    await b.findBySecretHash('hash-bob')
    expect(readsOf('hash-bob')).toBe(4)
  })

  it('does not keep a lookup that read the key before a revoke that arrived while it ran', async () => {
    const { a, b, inner, reads } = await setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const real = inner.findBySecretHash.bind(inner)
    reads.mockImplementationOnce(async (hash) => {
      const stale = await real(hash)
      await gate
      return stale
    })
    const slow = b.findBySecretHash('hash-alice')
    await a.revoke('k-alice', new Date('2026-03-01T10:05:00Z'))
    release()
    expect((await slow)?.key.revokedAt).toBeNull()
    expect((await b.findBySecretHash('hash-alice'))?.key.revokedAt).toEqual(new Date('2026-03-01T10:05:00Z'))
  })

  it('touch() writes through and updates the cached lastUsedAt without another read', async () => {
    const { b, inner, readsOf, clock } = await setup()
    expect((await b.findBySecretHash('hash-alice'))?.key.lastUsedAt).toBeNull()
    const at = clock.now()
    await b.touch('k-alice', at, new Date(at.getTime() - 60_000))
    expect((await inner.findById('k-alice'))?.lastUsedAt).toEqual(at)
    expect((await b.findBySecretHash('hash-alice'))?.key.lastUsedAt).toEqual(at)
    expect(readsOf('hash-alice')).toBe(1)
  })

  it('reads a key again after maxAgeMs even when no invalidation came', async () => {
    const { b, clock, readsOf } = await setup()
    await b.findBySecretHash('hash-alice')
    clock.advance(OPTIONS.maxAgeMs - 1)
    await b.findBySecretHash('hash-alice')
    expect(readsOf('hash-alice')).toBe(1)
    clock.advance(1)
    await b.findBySecretHash('hash-alice')
    expect(readsOf('hash-alice')).toBe(2)
  })

  it('hands out frozen matches, so no caller can change what the others see', async () => {
    const { b } = await setup()
    const match = (await b.findBySecretHash('hash-alice'))!
    expect(() => {
      ;(match.owner as { disabled: boolean }).disabled = true
    }).toThrow(TypeError)
    expect(() => (match.key.allowedModels as string[]).push('any')).toThrow(TypeError)
    expect((await b.findBySecretHash('hash-alice'))?.owner.disabled).toBe(false)
  })

  it('passes the other reads and writes through', async () => {
    const { b, inner } = await setup()
    expect(await b.findById('k-bob')).toEqual(await inner.findById('k-bob'))
    expect(await b.list({ ownerId: 'alice', offset: 0, limit: 10 })).toEqual(await inner.list({ ownerId: 'alice', offset: 0, limit: 10 }))
  })
})
