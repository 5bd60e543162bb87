import { describe, expect, it } from 'vitest'
import type { UsageRecorder } from '../usage-recorder.port.ts'
import type { UsageStats } from '../usage-stats.port.ts'
import type { UsageTotals } from '../usage-totals.port.ts'
import type { UserLimitsStore } from '../user-limits.store.port.ts'
import { usageEntry } from './fakes.ts'

export interface UsageStoreFixture {
  recorder: UsageRecorder
  totals: UsageTotals
  stats: UsageStats
  limits: UserLimitsStore
  createUser(username: string): Promise<string>
  createKey(ownerId: string, name: string): Promise<string>
  /** Writes text that is not valid JSON into User.limits; absent for fakes. */
  damageLimits?(userId: string): Promise<void>
}

const at = (iso: string) => new Date(iso)
const range = { from: at('2026-03-01T00:00:00.000Z'), to: at('2026-04-01T00:00:00.000Z') }

/** Recording, totals, statistics and overrides: the fake and Prisma on both databases agree. */
export function usageStoreContract(name: string, setup: () => Promise<UsageStoreFixture>): void {
  describe(`usage store contract: ${name}`, () => {
    async function seeded() {
      const f = await setup()
      const alice = await f.createUser('alice')
      const bob = await f.createUser('bob')
      const key = await f.createKey(alice, 'ci')
      const rows = [
        usageEntry({ userId: alice, at: at('2026-03-01T00:00:00.000Z') }), // first instant: in
        usageEntry({ userId: alice, apiKeyId: key, source: 'relay', at: at('2026-03-09T23:59:59.999Z'), modelId: 'gpt-4o', inputTokens: 1000, outputTokens: 100, cachedTokens: 400 }),
        usageEntry({ userId: alice, at: at('2026-03-10T00:00:00.000Z'), status: 'error', inputTokens: 7, outputTokens: 0 }),
        usageEntry({ userId: bob, at: at('2026-03-10T08:00:00.000Z'), modelId: 'local-model', inputTokens: 50, outputTokens: 50 }),
        usageEntry({ userId: alice, at: at('2026-04-01T00:00:00.000Z') }), // `to` is exclusive: out
        usageEntry({ userId: alice, at: at('2026-02-28T23:59:59.999Z') }), // before: out
      ]
      for (const row of rows) f.recorder.record(row)
      await f.recorder.flush()
      return { ...f, alice, bob, key }
    }

    it('sums tokens and cost per user and per key over [from, to)', async () => {
      const f = await seeded()
      // gpt-4o-mini 10 in + 5 out = 1.5 + 3 = 4.5 -> 5 micros; gpt-4o 600x2.5 + 400x1.25 + 100x10 = 3000.
      expect(await f.totals.sum({ userId: f.alice }, range.from, range.to)).toEqual({ tokens: 15 + 1100 + 7, costMicros: 5 + 3000 + 2 })
      expect(await f.totals.sum({ apiKeyId: f.key }, range.from, range.to)).toEqual({ tokens: 1100, costMicros: 3000 })
      expect(await f.totals.sum({ userId: f.bob }, range.from, at('2026-03-10T08:00:00.000Z'))).toEqual({ tokens: 0, costMicros: 0 })
    })

    it('groups by UTC day, with errors counted', async () => {
      const f = await seeded()
      const days = await f.stats.totals(range, 'day')
      expect(days.map((d) => [d.key, d.requests, d.inputTokens, d.outputTokens, d.errors])).toEqual([
        ['2026-03-01', 1, 10, 5, 0],
        ['2026-03-09', 1, 1000, 100, 0],
        ['2026-03-10', 2, 57, 50, 1],
      ])
      const mine = await f.stats.totals({ ...range, userId: f.bob }, 'day')
      expect(mine).toEqual([{ key: '2026-03-10', requests: 1, inputTokens: 50, outputTokens: 50, cachedTokens: 0, costMicros: 0, errors: 0 }])
    })

    it('groups by model, user (with username) and key ("" = no key, with the key name)', async () => {
      const f = await seeded()
      const models = await f.stats.totals({ ...range, userId: f.alice }, 'model')
      expect(models).toEqual([
        { key: 'gpt-4o', requests: 1, inputTokens: 1000, outputTokens: 100, cachedTokens: 400, costMicros: 3000, errors: 0 },
        { key: 'gpt-4o-mini', requests: 2, inputTokens: 17, outputTokens: 5, cachedTokens: 0, costMicros: 7, errors: 1 },
      ])
      const users = await f.stats.totals(range, 'user')
      expect(users.map((u) => [u.label, u.requests])).toEqual(expect.arrayContaining([['alice', 3], ['bob', 1]]))
      const keys = await f.stats.totals(range, 'key')
      expect(keys.map((k) => [k.key, k.label, k.requests])).toEqual([['', undefined, 3], [f.key, 'ci', 1]])
    })

    it('reads and replaces per-user limit overrides', async () => {
      const f = await setup()
      const id = await f.createUser('carol')
      expect(await f.limits.get(id)).toEqual({})
      expect(await f.limits.set(id, { requestsPerMinute: 5, tokensPerDay: null })).toBe(true)
      expect(await f.limits.get(id)).toEqual({ requestsPerMinute: 5, tokensPerDay: null })
      expect(await f.limits.get('missing')).toBeNull()
      expect(await f.limits.set('missing', {})).toBe(false)
      if (f.damageLimits) {
        await f.damageLimits(id)
        expect(await f.limits.get(id)).toEqual({})
      }
    })
  })
}
