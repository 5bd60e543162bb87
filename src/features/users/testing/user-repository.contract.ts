import { describe, expect, it } from 'vitest'
import type { UserRepository } from '../user.repository.port.ts'
import type { NewUser } from '../user.ts'

export interface UserRepositoryFixture {
  repo: UserRepository
  /** Creates an owned row (a chat session) so the cascade can be observed; absent for fakes. */
  cascadeProbe?: { createOwnedSession(userId: string): Promise<void>; countOwnedSessions(userId: string): Promise<number> }
}

let seq = 0
const newUser = (over: Partial<NewUser> = {}): NewUser => {
  seq++
  return { id: `u-${seq}-${Math.random().toString(36).slice(2, 8)}`, username: `user${seq}`, passwordHash: 'hash', role: 'USER', ...over }
}

/** One behaviour for every UserRepository: the in-memory fake and the Prisma adapter on both databases. */
export function userRepositoryContract(name: string, setup: () => Promise<UserRepositoryFixture>): void {
  describe(`UserRepository contract: ${name}`, () => {
    it('creates and finds users by id and username, with the hash only on lookups', async () => {
      const { repo } = await setup()
      const created = await repo.create(newUser({ username: 'alice' }))
      expect(created).not.toHaveProperty('passwordHash')
      expect(created).toMatchObject({ username: 'alice', role: 'USER', disabled: false, tokenVersion: 0 })
      expect((await repo.findById(created.id))?.passwordHash).toBe('hash')
      expect((await repo.findByUsername('alice'))?.id).toBe(created.id)
      expect(await repo.findByUsername('nobody')).toBeNull()
    })

    it('refuses a duplicate username with a 409 and keeps the first user', async () => {
      const { repo } = await setup()
      const first = await repo.create(newUser({ username: 'dup' }))
      await expect(repo.create(newUser({ username: 'dup' }))).rejects.toMatchObject({ code: 'CONFLICT' })
      expect((await repo.findByUsername('dup'))?.id).toBe(first.id)
      expect(await repo.count()).toBe(1)
    })

    it('updates fields and bumps the token version on revokeTokens', async () => {
      const { repo } = await setup()
      const u = await repo.create(newUser())
      const updated = await repo.update(u.id, { disabled: true, revokeTokens: true, passwordHash: 'new' })
      expect(updated).toMatchObject({ disabled: true, tokenVersion: 1 })
      expect((await repo.findById(u.id))?.passwordHash).toBe('new')
      await expect(repo.update('missing', { disabled: true })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })

    it('never leaves zero enabled admins, and changes nothing when it refuses', async () => {
      const { repo } = await setup()
      const admin = await repo.create(newUser({ role: 'ADMIN' }))
      await expect(repo.update(admin.id, { role: 'USER' })).rejects.toMatchObject({ code: 'CONFLICT' })
      await expect(repo.update(admin.id, { disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' })
      await expect(repo.delete(admin.id)).rejects.toMatchObject({ code: 'CONFLICT' })
      expect(await repo.findById(admin.id)).toMatchObject({ role: 'ADMIN', disabled: false })

      const second = await repo.create(newUser({ role: 'ADMIN' }))
      await repo.update(admin.id, { role: 'USER' })
      expect(await repo.countEnabledAdmins()).toBe(1)
      await expect(repo.delete(second.id)).rejects.toMatchObject({ code: 'CONFLICT' })
    })

    it('lists users by username with search and paging', async () => {
      const { repo } = await setup()
      for (const username of ['carol', 'bob', 'alice', 'alfred']) await repo.create(newUser({ username }))
      const page = await repo.list({ offset: 0, limit: 2 })
      expect(page.total).toBe(4)
      expect(page.items.map((u) => u.username)).toEqual(['alfred', 'alice'])
      const search = await repo.list({ search: 'AL', offset: 0, limit: 10 })
      expect(search.items.map((u) => u.username)).toEqual(['alfred', 'alice'])
    })

    it('deletes a user together with what they own', async () => {
      const { repo, cascadeProbe } = await setup()
      const u = await repo.create(newUser())
      await cascadeProbe?.createOwnedSession(u.id)
      await repo.delete(u.id)
      expect(await repo.findById(u.id)).toBeNull()
      if (cascadeProbe) expect(await cascadeProbe.countOwnedSessions(u.id)).toBe(0)
      await expect(repo.delete(u.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })
}
