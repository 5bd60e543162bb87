import { describe, expect, it } from 'vitest'
import { breachError, firstBreach, reservationFor, windowsAt, type ScopeUsage } from '../../../src/features/usage/limit-policy.ts'
import type { Limits } from '../../../src/features/usage/limits.ts'

const NOW = Date.parse('2026-03-31T18:30:00.000Z')
const W = windowsAt(NOW)
const idle: ScopeUsage = { recentRequests: [], activeStreams: 0, tokensToday: 0, tokensThisMonth: 0, costMicrosThisMonth: 0 }
const demand = { tokens: 500, costMicros: 1_000 }
const ago = (s: number) => NOW - s * 1000

describe('windowsAt (UTC calendar windows)', () => {
  it.each([
    ['2026-03-31T18:30:00.000Z', '2026-03-31', '2026-03', '2026-04-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', '2026-12-31', '2026-12', '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2028-02-28T00:00:00.000Z', '2028-02-28', '2028-02', '2028-02-29T00:00:00.000Z', '2028-03-01T00:00:00.000Z'],
  ])('%s -> day %s, month %s', (at, day, month, dayEnd, monthEnd) => {
    const w = windowsAt(Date.parse(at))
    expect([w.day, w.month, new Date(w.dayEndsAt).toISOString(), new Date(w.monthEndsAt).toISOString()]).toEqual([day, month, dayEnd, monthEnd])
  })
})

describe('firstBreach', () => {
  it.each<[string, Limits, Partial<ScopeUsage>, [string, number, number] | null]>([
    ['no limits, heavy use', {}, { recentRequests: [ago(1), ago(2)], activeStreams: 50, tokensToday: 1e9 }, null],
    ['rpm: under the limit', { requestsPerMinute: 3 }, { recentRequests: [ago(50), ago(40)] }, null],
    ['rpm: full; frees when the oldest leaves', { requestsPerMinute: 2 }, { recentRequests: [ago(50), ago(40)] }, ['requestsPerMinute', 2, 10_000]],
    ['rpm: requests older than a minute do not count', { requestsPerMinute: 2 }, { recentRequests: [ago(70), ago(61), ago(5)] }, null],
    ['rpm: limit lowered below the count waits for enough to leave', { requestsPerMinute: 1 }, { recentRequests: [ago(50), ago(20)] }, ['requestsPerMinute', 2, 40_000]],
    ['concurrency: a free slot', { concurrentStreams: 2 }, { activeStreams: 1 }, null],
    ['concurrency: full', { concurrentStreams: 2 }, { activeStreams: 2 }, ['concurrentStreams', 2, 1_000]],
    ['tokens/day: reservation fits exactly', { tokensPerDay: 1000 }, { tokensToday: 500 }, null],
    ['tokens/day: one over; resets at UTC midnight', { tokensPerDay: 1000 }, { tokensToday: 501 }, ['tokensPerDay', 501, 5.5 * 3600_000]],
    ['tokens/month', { tokensPerMonth: 10_000 }, { tokensThisMonth: 9_600 }, ['tokensPerMonth', 9_600, 5.5 * 3600_000]],
    ['cost/month', { costBudgetMicrosPerMonth: 5_000 }, { costMicrosThisMonth: 4_500 }, ['costBudgetMicrosPerMonth', 4_500, 5.5 * 3600_000]],
    ['rpm is checked before tokens', { requestsPerMinute: 1, tokensPerDay: 1 }, { recentRequests: [ago(30)], tokensToday: 5 }, ['requestsPerMinute', 1, 30_000]],
  ])('%s', (_name, limits, usage, expected) => {
    const breach = firstBreach(limits, { ...idle, ...usage }, demand, NOW, W)
    expect(breach && [breach.limit, breach.used, breach.retryAfterMs]).toEqual(expected)
  })
})

describe('reservationFor', () => {
  it.each<[Limits, ReturnType<typeof reservationFor>]>([
    [{}, { tokensDay: 0, tokensMonth: 0, costMicros: 0, lease: false }],
    [{ requestsPerMinute: 5 }, { tokensDay: 0, tokensMonth: 0, costMicros: 0, lease: false }],
    [{ concurrentStreams: 1 }, { tokensDay: 0, tokensMonth: 0, costMicros: 0, lease: true }],
    [{ tokensPerDay: 9 }, { tokensDay: 500, tokensMonth: 0, costMicros: 0, lease: true }],
    [{ tokensPerMonth: 9, costBudgetMicrosPerMonth: 9 }, { tokensDay: 0, tokensMonth: 500, costMicros: 1_000, lease: true }],
  ])('%j reserves %j', (limits, expected) => {
    expect(reservationFor(limits, demand)).toEqual(expected)
  })
})

describe('breachError', () => {
  it.each([
    ['user', 'requestsPerMinute', 'RATE_LIMITED', 10_000, 10, 'Rate limit reached: your account allows 5 requests per minute; retry in 10 s'],
    ['key', 'concurrentStreams', 'RATE_LIMITED', 1_000, 1, 'Too many concurrent requests: this API key allows 5 at a time; retry when one finishes'],
    ['key', 'tokensPerDay', 'QUOTA_EXCEEDED', 3 * 3600_000 + 90_000, 10890, 'Daily token quota exceeded for this API key: 4 of 5 tokens used today (UTC) and this request may use up to 2; resets in 3 h 2 min'],
    ['user', 'tokensPerMonth', 'QUOTA_EXCEEDED', 4 * 86_400_000, 345600, 'Monthly token quota exceeded for your account: 4 of 5 tokens used this month (UTC) and this request may use up to 2; resets in 4 days'],
  ] as const)('%s %s -> %s, retry-after %d ms', (scope, limit, code, retryAfterMs, seconds, message) => {
    const err = breachError(scope, { limit, limitValue: 5, used: 4, requested: 2, retryAfterMs })
    expect(err).toMatchObject({ code, message, retryAfter: seconds, details: { scope, limit, limitValue: 5, used: 4, requested: 2 } })
  })

  it('never asks for less than one second', () => {
    expect(breachError('user', { limit: 'requestsPerMinute', limitValue: 1, used: 1, requested: 1, retryAfterMs: 3 }).retryAfter).toBe(1)
  })
})
