import { beforeEach, describe, expect, it } from 'vitest'
import type { Actor } from '../../../src/shared/actor.ts'
import { ListAuditEntries } from '../../../src/features/audit/list-audit-entries.use-case.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'

const admin: Actor = { userId: 'admin-1', username: 'root', role: 'ADMIN' }
const alice: Actor = { userId: 'user-1', username: 'alice', role: 'USER' }

let log: InMemoryAuditLog
let listEntries: ListAuditEntries
beforeEach(async () => {
  log = new InMemoryAuditLog()
  listEntries = new ListAuditEntries(log)
  for (let i = 0; i < 3; i++) await log.record({ actorId: 'admin-1', action: 'user.created', targetType: 'user', targetId: `u-${i}` })
})

describe('ListAuditEntries', () => {
  it('is for administrators only', async () => {
    await expect(listEntries.execute({ actor: alice })).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })

  it('lists newest first with a default page size', async () => {
    const page = await listEntries.execute({ actor: admin })
    expect(page.items.map((r) => r.targetId)).toEqual(['u-2', 'u-1', 'u-0'])
    expect(page.nextCursor).toBeNull()
  })

  it('passes filters and the cursor through', async () => {
    const first = await listEntries.execute({ actor: admin, limit: 2 })
    const second = await listEntries.execute({ actor: admin, limit: 2, cursor: first.nextCursor!, action: 'user.created', actorId: 'admin-1' })
    expect(second.items.map((r) => r.targetId)).toEqual(['u-0'])
  })

  it.each([
    [0, 1],
    [-5, 1],
    [1.7, 1],
    [Number.NaN, 3],
    [10_000, 3],
  ])('clamps the limit %s to a sane page (%s items here)', async (limit, expected) => {
    expect((await listEntries.execute({ actor: admin, limit })).items).toHaveLength(expected)
  })
})
