import { describe, expect, it } from 'vitest'
import type { Actor } from '../../../shared/actor.ts'
import type { IdGenerator } from '../../../shared/ids.ts'
import { ManualClock, SequentialIds } from '../../../shared/testing/fakes.ts'
import { EffectiveLimits } from '../effective-limits.ts'
import { DEFAULT_GATE_OPTIONS, type UsageGateOptions } from '../gate-options.ts'
import type { Limits, UserLimitsOverride } from '../limits.ts'
import type { UsageGate, UsageRequest } from '../usage-gate.port.ts'
import { InMemoryUsageLog, InMemoryUserLimitsStore, StaticSettings, usageEntry } from './fakes.ts'

export interface GateDeps {
  clock: ManualClock
  limits: EffectiveLimits
  usage: InMemoryUsageLog
  ids: IdGenerator
  options: UsageGateOptions
}

const LEASE_MS = 120_000
let run = 0

/** Noon UTC today: near the real time (Redis TTLs are real) and far from a day boundary. */
const noonToday = () => new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`)

/** One behaviour for every UsageGate: the in-process one and the Redis one. */
export function usageGateContract(name: string, makeGate: (deps: GateDeps) => Promise<UsageGate> | UsageGate): void {
  async function setup(userLimits: UserLimitsOverride = {}, defaults: Limits = {}) {
    const clock = new ManualClock(noonToday())
    const store = new InMemoryUserLimitsStore()
    const user = `user-${++run}-${Math.random().toString(36).slice(2, 8)}`
    store.addUser(user, userLimits)
    const usage = new InMemoryUsageLog()
    const deps: GateDeps = {
      clock,
      usage,
      limits: new EffectiveLimits(store, new StaticSettings(defaults), clock),
      ids: new SequentialIds(`${user}-hold`),
      options: { ...DEFAULT_GATE_OPTIONS, leaseMs: LEASE_MS },
    }
    const gate = await makeGate(deps)
    const actor: Actor = { userId: user, username: user, role: 'USER' }
    const request = (over: Partial<UsageRequest> = {}): UsageRequest => ({
      actor, modelConfigId: 'mc', source: 'relay', estimatedInputTokens: 300, maxOutputTokens: 200, ...over,
    })
    return { ...deps, gate, user, request, admit: (over: Partial<UsageRequest> = {}) => gate.admit(request(over)) }
  }
  const settleNothing = { inputTokens: 0, outputTokens: 0 }

  describe(`UsageGate contract: ${name}`, () => {
    it('lets everything through without limits', async () => {
      const t = await setup()
      for (let i = 0; i < 20; i++) await t.admit()
    })

    it('allows N requests per sliding minute, then 429 until the oldest leaves the window', async () => {
      const t = await setup({ requestsPerMinute: 3 })
      for (let i = 0; i < 3; i++) {
        await (await t.admit()).settle(settleNothing)
        t.clock.advance(10_000)
      }
      const err = await t.admit().catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, details: { scope: 'user', limit: 'requestsPerMinute', limitValue: 3 } })
      expect((err as Error).message).toMatch(/allows 3 requests per minute; retry in 30 s/)
      t.clock.advance(30_000)
      await t.admit()
      await expect(t.admit()).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: 10 })
    })

    it('holds a request to its API key limits too, and a refused request uses up nothing', async () => {
      const t = await setup({ requestsPerMinute: 2 })
      const limited = { id: `${t.user}-key-a`, limits: { requestsPerMinute: 1 } }
      await t.admit({ apiKey: limited })
      await expect(t.admit({ apiKey: limited })).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'key' } })
      await t.admit({ apiKey: { id: `${t.user}-key-b`, limits: {} } })
      await expect(t.admit()).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'user' } })
    })

    it('limits concurrent streams until one settles', async () => {
      const t = await setup({ concurrentStreams: 2 })
      const first = await t.admit()
      await t.admit()
      const err = await t.admit().catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1, details: { limit: 'concurrentStreams' } })
      await first.settle(settleNothing)
      await first.settle(settleNothing) // a second settle changes nothing
      await t.admit()
      await expect(t.admit()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    })

    it('frees the slot and reservation of a request never settled (a crashed replica) when its lease expires', async () => {
      const t = await setup({ concurrentStreams: 1, tokensPerDay: 1000 })
      const lost = await t.admit({ estimatedInputTokens: 400, maxOutputTokens: 200 })
      await expect(t.admit()).rejects.toMatchObject({ details: { limit: 'concurrentStreams' } })
      t.clock.advance(LEASE_MS + 1)
      const next = await t.admit({ estimatedInputTokens: 400, maxOutputTokens: 200 }) // 600 reserved, not 1200
      await lost.settle({ inputTokens: 100, outputTokens: 0 }) // charged its real use only
      await next.settle({ inputTokens: 100, outputTokens: 200 })
      await expect(t.admit({ estimatedInputTokens: 600, maxOutputTokens: 101 })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', details: { used: 400 } })
      await t.admit({ estimatedInputTokens: 600, maxOutputTokens: 0 })
    })

    it('reserves the estimate against the daily quota and settles to the real use', async () => {
      const t = await setup({ tokensPerDay: 1000 })
      const a = await t.admit() // 500 reserved
      const b = await t.admit() // 1000 reserved
      const err = await t.admit({ estimatedInputTokens: 1, maxOutputTokens: 0 }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', retryAfter: 12 * 3600, details: { limit: 'tokensPerDay', used: 1000, requested: 1 } })
      expect((err as Error).message).toMatch(/Daily token quota exceeded for your account: 1000 of 1000 tokens used today \(UTC\).*resets in 12 h 0 min/)
      await a.settle({ inputTokens: 250, outputTokens: 50 })
      await b.settle({ inputTokens: 250, outputTokens: 50 })
      await t.admit({ estimatedInputTokens: 200, maxOutputTokens: 200 }) // 600 used + 400
      await expect(t.admit({ estimatedInputTokens: 1, maxOutputTokens: 0 })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' })
      t.clock.advance(12 * 3600_000) // a new UTC day
      await t.admit({ estimatedInputTokens: 900, maxOutputTokens: 100 })
    })

    it("starts the day and month from the recorded usage, flushing the recorder's buffer first", async () => {
      const t = await setup({ tokensPerDay: 1000, tokensPerMonth: 5000 })
      const today = t.clock.now()
      t.usage.record(usageEntry({ userId: t.user, inputTokens: 700, outputTokens: 100, at: today }))
      t.usage.record(usageEntry({ userId: t.user, inputTokens: 4000, outputTokens: 0, at: new Date(`${today.toISOString().slice(0, 7)}-01T00:00:00.000Z`) }))
      t.usage.record(usageEntry({ userId: 'someone-else', inputTokens: 9000, at: today }))
      await expect(t.admit({ estimatedInputTokens: 100, maxOutputTokens: 101 })).rejects.toMatchObject({ details: { limit: 'tokensPerDay', used: 800 } })
      expect(t.usage.flushes).toBeGreaterThan(0)
      await t.admit({ estimatedInputTokens: 100, maxOutputTokens: 100 })
      const err = await t.admit({ estimatedInputTokens: 1, maxOutputTokens: 0 }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: 'tokensPerDay' } })
    })

    it('keeps a monthly cost budget from the price table (unknown models cost nothing)', async () => {
      // gpt-4o: $2.50 in / $10 out per 1M tokens -> 1000 in + 1000 out = 12,500 micro-USD.
      const t = await setup({ costBudgetMicrosPerMonth: 20_000 })
      const first = await t.admit({ modelId: 'gpt-4o', estimatedInputTokens: 1000, maxOutputTokens: 1000 })
      const err = await t.admit({ modelId: 'gpt-4o', estimatedInputTokens: 1000, maxOutputTokens: 1000 }).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { limit: 'costBudgetMicrosPerMonth', used: 12_500, requested: 12_500 } })
      expect((err as Error).message).toMatch(/Monthly cost budget exceeded for your account: \$0\.0125 of \$0\.0200 used this month and this request may cost up to \$0\.0125/)
      await t.admit({ modelId: 'my-local-llama', estimatedInputTokens: 1e6, maxOutputTokens: 1e6 })
      await first.settle({ inputTokens: 1000, outputTokens: 100 }) // 2,500 + 1,000
      await t.admit({ modelId: 'gpt-4o', estimatedInputTokens: 1000, maxOutputTokens: 1000 })
    })

    it('applies the system default quota unless the user override replaces or lifts it', async () => {
      const limited = await setup({}, { requestsPerMinute: 1 })
      await limited.admit()
      await expect(limited.admit()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
      const lifted = await setup({ requestsPerMinute: null }, { requestsPerMinute: 1 })
      for (let i = 0; i < 5; i++) await lifted.admit()
      const raised = await setup({ requestsPerMinute: 2 }, { requestsPerMinute: 1 })
      await raised.admit()
      await raised.admit()
      await expect(raised.admit()).rejects.toMatchObject({ code: 'RATE_LIMITED' })
    })

    it('keeps per-key token quotas apart from the user totals', async () => {
      const t = await setup({ tokensPerDay: 10_000 })
      const key = { id: `${t.user}-key`, limits: { tokensPerDay: 600 } }
      await (await t.admit({ apiKey: key })).settle({ inputTokens: 300, outputTokens: 100 })
      await expect(t.admit({ apiKey: key })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', details: { scope: 'key', used: 400 } })
      await t.admit({ apiKey: key, estimatedInputTokens: 200, maxOutputTokens: 0 }) // exactly 600
      await t.admit() // the user still has room without that key
    })
  })
}
