import { describe, expect, it, vi } from 'vitest'
import { AnnouncingUserRepository } from '../../../src/features/users/announcing-user.repository.ts'
import { CachingUserRepository } from '../../../src/features/users/caching-user.repository.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { USERS_TOPIC } from '../../../src/features/users/user.repository.port.ts'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

const OPTIONS = { maxAgeMs: 60_000, maxEntries: 100 }

/** Two replicas' caches over one shared "database" whose writes are announced on one bus. */
async function setup() {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z')
  const db = new InMemoryUserRepository(() => clock.now())
  const reads = vi.spyOn(db, 'findById')
  const bus = new InProcessCacheInvalidation()
  const replica = () => new CachingUserRepository(new AnnouncingUserRepository(db, bus), bus, clock, OPTIONS)
  const a = replica()
  const b = replica()
  await a.create({ id: 'root', username: 'root', passwordHash: 'h0', role: 'ADMIN' })
  await a.create({ id: 'alice', username: 'alice', passwordHash: 'h1', role: 'USER' })
  return { clock, db, reads, bus, a, b }
}

describe('CachingUserRepository', () => {
  it('serves the second lookup by id from memory, frozen', async () => {
    const { a, reads } = await setup()
    const first = await a.findById('alice')
    expect(await a.findById('alice')).toBe(first)
    expect(reads).toHaveBeenCalledTimes(1)
    expect(Object.isFrozen(first)).toBe(true)
  })

  it('does not keep unknown ids', async () => {
    const { a, reads } = await setup()
    expect(await a.findById('carol')).toBeNull()
    await a.create({ id: 'carol', username: 'carol', passwordHash: 'h2', role: 'USER' })
    expect(await a.findById('carol')).toMatchObject({ username: 'carol' })
    expect(reads).toHaveBeenCalledTimes(2)
  })

  it('an update or delete on one replica reaches the other at its next lookup', async () => {
    const { a, b } = await setup()
    expect(await b.findById('alice')).toMatchObject({ disabled: false, tokenVersion: 0 })
    await a.update('alice', { disabled: true, passwordHash: 'h9', revokeTokens: true })
    expect(await b.findById('alice')).toMatchObject({ disabled: true, passwordHash: 'h9', tokenVersion: 1 })
    await a.delete('alice')
    expect(await b.findById('alice')).toBeNull()
  })

  it('a message for every user (another process wrote) drops every copy', async () => {
    const { b, bus, reads } = await setup()
    await b.findById('alice')
    await bus.publish(USERS_TOPIC, null)
    await b.findById('alice')
    expect(reads).toHaveBeenCalledTimes(2)
  })
})
