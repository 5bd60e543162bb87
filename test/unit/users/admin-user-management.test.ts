import { describe, expect, it } from 'vitest'
import { InProcessReplyControl } from '../../../src/features/chat/adapters/in-process-reply-control.ts'
import type { AuditEntry, AuditTrail } from '../../../src/features/audit/audit-trail.port.ts'
import { BcryptPasswordHasher } from '../../../src/features/auth/adapters/bcrypt-password-hasher.ts'
import { InMemoryRefreshTokenRepository } from '../../../src/features/auth/testing/in-memory-refresh-token.repository.ts'
import { DeleteUser } from '../../../src/features/users/delete-user.use-case.ts'
import { GetUser } from '../../../src/features/users/get-user.use-case.ts'
import { ListUsers } from '../../../src/features/users/list-users.use-case.ts'
import { ResetUserPassword } from '../../../src/features/users/reset-user-password.use-case.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import { UpdateUser } from '../../../src/features/users/update-user.use-case.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { ManualClock } from '../../../src/shared/testing/fakes.ts'

async function setup() {
  const clock = new ManualClock()
  const users = new InMemoryUserRepository(() => clock.now())
  const tokens = new InMemoryRefreshTokenRepository()
  const entries: AuditEntry[] = []
  const audit: AuditTrail = { record: async (e) => void entries.push(e) }
  const hasher = new BcryptPasswordHasher(4)
  const admin = await users.create({ id: 'admin', username: 'root', passwordHash: await hasher.hash('old password'), role: 'ADMIN' })
  const user = await users.create({ id: 'u1', username: 'alice', passwordHash: await hasher.hash('old password'), role: 'USER' })
  await tokens.create({ id: 't1', userId: 'u1', tokenHash: 'h1', familyId: 'f1', expiresAt: new Date('2030-01-01') })
  const asAdmin: Actor = { userId: admin.id, username: 'root', role: 'ADMIN' }
  const asUser: Actor = { userId: user.id, username: 'alice', role: 'USER' }
  return {
    users,
    tokens,
    entries,
    hasher,
    asAdmin,
    asUser,
    update: new UpdateUser(users, tokens, audit, clock),
    reset: new ResetUserPassword(users, hasher, tokens, audit, clock),
    remove: new DeleteUser(users, audit, new InProcessReplyControl()),
    list: new ListUsers(users),
    get: new GetUser(users),
  }
}

describe('admin user management', () => {
  it('only admins change users; users get 403 and nothing changes', async () => {
    const s = await setup()
    await expect(s.update.execute({ actor: s.asUser, userId: 'u1', role: 'ADMIN' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(s.reset.execute({ actor: s.asUser, userId: 'admin', newPassword: 'new password' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(s.remove.execute({ actor: s.asUser, userId: 'admin' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(s.list.execute({ actor: s.asUser, page: 1, pageSize: 10 })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await s.users.findById('u1'))?.role).toBe('USER')
    expect(s.entries).toEqual([])
  })

  it('promotes with an audit entry, and disabling revokes sessions and tokens at once', async () => {
    const s = await setup()
    await s.update.execute({ actor: s.asAdmin, userId: 'u1', role: 'ADMIN' })
    const disabled = await s.update.execute({ actor: s.asAdmin, userId: 'u1', disabled: true })
    expect(disabled).toMatchObject({ role: 'ADMIN', disabled: true })
    expect((await s.users.findById('u1'))?.tokenVersion).toBe(1)
    expect(await s.tokens.isFamilyActive('f1', new Date('2026-06-01'))).toBe(false)
    expect(s.entries.map((e) => e.action)).toEqual(['user.role_changed', 'user.disabled'])
    expect(s.entries[0]).toMatchObject({ actorId: 'admin', targetId: 'u1', metadata: { from: 'USER', to: 'ADMIN' } })
  })

  it('refuses to demote, disable or delete the last enabled admin', async () => {
    const s = await setup()
    await expect(s.update.execute({ actor: s.asAdmin, userId: 'admin', role: 'USER' })).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(s.update.execute({ actor: s.asAdmin, userId: 'admin', disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' })
    await expect(s.remove.execute({ actor: s.asAdmin, userId: 'admin' })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(s.entries).toEqual([])
  })

  it('resets a password: sessions end, the user must change it, the audit has no password', async () => {
    const s = await setup()
    const result = await s.reset.execute({ actor: s.asAdmin, userId: 'u1', newPassword: 'temporary pass' })
    expect(result.mustChangePassword).toBe(true)
    const stored = await s.users.findById('u1')
    expect(await s.hasher.verify('temporary pass', stored!.passwordHash)).toBe(true)
    expect(await s.tokens.isFamilyActive('f1', new Date('2026-06-01'))).toBe(false)
    expect(JSON.stringify(s.entries)).not.toContain('temporary pass')
    expect(s.entries[0]).toMatchObject({ action: 'user.password_reset', targetId: 'u1' })
  })

  it('deletes a user with an audit entry; users see only themselves', async () => {
    const s = await setup()
    await expect(s.get.execute({ actor: s.asUser, userId: 'admin' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(s.get.execute({ actor: s.asUser, userId: 'u1' })).resolves.toMatchObject({ username: 'alice' })
    await s.remove.execute({ actor: s.asAdmin, userId: 'u1' })
    expect(await s.users.findById('u1')).toBeNull()
    expect(s.entries[0]).toMatchObject({ action: 'user.deleted', metadata: { username: 'alice' } })
    const page = await s.list.execute({ actor: s.asAdmin, page: 1, pageSize: 10 })
    expect(page).toMatchObject({ total: 1, items: [{ username: 'root' }] })
  })
})
