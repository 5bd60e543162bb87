import { beforeEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../../shared/clock.port.ts'
import type { IdGenerator } from '../../../shared/ids.ts'
import type { AuditQuery } from '../audit-query.port.ts'
import type { AuditEntry, AuditTrail } from '../audit-trail.port.ts'
import { ManualClock, SequentialIds } from '../../../shared/testing/fakes.ts'

export type AuditLog = AuditTrail & AuditQuery
/** Called before each test; must return a log over empty storage that uses the given ids and clock. */
export type MakeAuditLog = (deps: { ids: IdGenerator; clock: Clock }) => Promise<AuditLog>

const T0 = new Date('2025-03-01T10:00:00.000Z')
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000)

/** One behaviour, every implementation: the in-memory fake, SQLite and PostgreSQL. */
export function auditLogContract(name: string, make: MakeAuditLog): void {
  describe(`AuditTrail + AuditQuery contract: ${name}`, () => {
    let log: AuditLog
    let clock: ManualClock

    beforeEach(async () => {
      clock = new ManualClock(T0)
      log = await make({ ids: new SequentialIds('audit'), clock })
    })

    /** One entry per minute from T0, actors and actions as given. */
    async function seed(entries: Partial<AuditEntry>[]): Promise<void> {
      for (const entry of entries) {
        await log.record({ actorId: 'admin-1', action: 'user.created', ...entry })
        clock.advance(60_000)
      }
    }
    const ids = (page: { items: { id: string }[] }) => page.items.map((r) => r.id)

    it('stores every field, with the id and time it was given', async () => {
      await log.record({ actorId: 'admin-1', action: 'user.role_changed', targetType: 'user', targetId: 'u-1', metadata: { from: 'USER', to: 'ADMIN', n: [1, { deep: true }] } })
      expect(await log.list({ limit: 10 })).toEqual({
        items: [{ id: 'audit-0001', actorId: 'admin-1', action: 'user.role_changed', targetType: 'user', targetId: 'u-1', metadata: { from: 'USER', to: 'ADMIN', n: [1, { deep: true }] }, createdAt: T0 }],
        nextCursor: null,
      })
    })

    it('fills absent target and metadata with null and {}; keeps a null actor', async () => {
      await log.record({ actorId: null, action: 'keys.master_key_rotated' })
      const [record] = (await log.list({ limit: 10 })).items
      expect(record).toMatchObject({ actorId: null, targetType: null, targetId: null, metadata: {} })
    })

    it('lists newest first', async () => {
      await seed([{}, {}, {}])
      expect(ids(await log.list({ limit: 10 }))).toEqual(['audit-0003', 'audit-0002', 'audit-0001'])
    })

    it('pages with the cursor until there is no next page', async () => {
      await seed([{}, {}, {}, {}, {}])
      const first = await log.list({ limit: 2 })
      expect(ids(first)).toEqual(['audit-0005', 'audit-0004'])
      const second = await log.list({ limit: 2, cursor: first.nextCursor! })
      expect(ids(second)).toEqual(['audit-0003', 'audit-0002'])
      const third = await log.list({ limit: 2, cursor: second.nextCursor! })
      expect(third).toMatchObject({ nextCursor: null })
      expect(ids(third)).toEqual(['audit-0001'])
    })

    it('has no next page when the last page is exactly full', async () => {
      await seed([{}, {}])
      expect((await log.list({ limit: 2 })).nextCursor).toBeNull()
    })

    it('filters by actor and by action', async () => {
      await seed([{ actorId: 'a' }, { actorId: 'b', action: 'user.deleted' }, { actorId: 'a', action: 'user.deleted' }])
      expect(ids(await log.list({ actorId: 'a', limit: 10 }))).toEqual(['audit-0003', 'audit-0001'])
      expect(ids(await log.list({ action: 'user.deleted', limit: 10 }))).toEqual(['audit-0003', 'audit-0002'])
      expect(ids(await log.list({ actorId: 'a', action: 'user.deleted', limit: 10 }))).toEqual(['audit-0003'])
      expect(ids(await log.list({ actorId: 'nobody', limit: 10 }))).toEqual([])
    })

    it('filters by time: from inclusive, to exclusive', async () => {
      await seed([{}, {}, {}, {}])
      expect(ids(await log.list({ from: minutes(1), to: minutes(3), limit: 10 }))).toEqual(['audit-0003', 'audit-0002'])
      expect(ids(await log.list({ from: minutes(3), limit: 10 }))).toEqual(['audit-0004'])
      expect(ids(await log.list({ to: minutes(1), limit: 10 }))).toEqual(['audit-0001'])
    })

    it('pages within a filter', async () => {
      await seed([{ actorId: 'a' }, { actorId: 'b' }, { actorId: 'a' }, { actorId: 'a' }])
      const first = await log.list({ actorId: 'a', limit: 2 })
      expect(ids(first)).toEqual(['audit-0004', 'audit-0003'])
      const second = await log.list({ actorId: 'a', limit: 2, cursor: first.nextCursor! })
      expect(second).toMatchObject({ nextCursor: null })
      expect(ids(second)).toEqual(['audit-0001'])
    })

    it('redacts secret-looking metadata before storing it', async () => {
      await log.record({
        actorId: 'admin-1',
        action: 'model.api_key_rotated',
        metadata: {
          password: 'hunter2',
          apiKey: 'sk-live',
          nested: { token: 't', Authorization: 'Bearer x', 'x-api-key': 'k', clientSecret: 's' },
          list: [{ refresh_token: 'r' }, 'plain'],
          tokensPerDay: 5,
          apiKeyId: 'key-1',
          keys: ['mode'],
          provider: 'openai',
        },
      })
      const [record] = (await log.list({ limit: 1 })).items
      expect(record!.metadata).toEqual({
        password: '[redacted]',
        apiKey: '[redacted]',
        nested: { token: '[redacted]', Authorization: '[redacted]', 'x-api-key': '[redacted]', clientSecret: '[redacted]' },
        list: [{ refresh_token: '[redacted]' }, 'plain'],
        tokensPerDay: 5,
        apiKeyId: 'key-1',
        keys: ['mode'],
        provider: 'openai',
      })
    })
  })
}
