import { describe, expect, it } from 'vitest'
import { mergeUserLimits, readLimits, readOverride, type Limits, type UserLimitsOverride } from '../../../src/features/usage/limits.ts'
import { costMicros, priceOf } from '../../../src/features/usage/price-table.ts'
import { usageRange } from '../../../src/features/usage/usage-report.ts'

describe('mergeUserLimits: override field by field over the system default', () => {
  it.each<[UserLimitsOverride, Limits, Limits]>([
    [{}, {}, {}],
    [{}, { requestsPerMinute: 10, tokensPerDay: 1000 }, { requestsPerMinute: 10, tokensPerDay: 1000 }],
    [{ requestsPerMinute: 50 }, { requestsPerMinute: 10, tokensPerDay: 1000 }, { requestsPerMinute: 50, tokensPerDay: 1000 }],
    [{ tokensPerDay: null }, { requestsPerMinute: 10, tokensPerDay: 1000 }, { requestsPerMinute: 10 }],
    [{ concurrentStreams: 2 }, {}, { concurrentStreams: 2 }],
  ])('%j over %j = %j', (override, defaults, expected) => {
    expect(mergeUserLimits(override, defaults)).toEqual(expected)
  })
})

describe('reading stored limits', () => {
  it.each<[unknown, UserLimitsOverride, Limits]>([
    [{ requestsPerMinute: 5, tokensPerDay: null, bogus: 1 }, { requestsPerMinute: 5, tokensPerDay: null }, { requestsPerMinute: 5 }],
    [{ requestsPerMinute: -1, concurrentStreams: 1.5, tokensPerMonth: '9' }, {}, {}],
    [[1, 2], {}, {}],
    [undefined, {}, {}],
  ])('%j', (stored, override, limits) => {
    expect(readOverride(stored)).toEqual(override)
    expect(readLimits(stored)).toEqual(limits)
  })
})

describe('price table', () => {
  it.each([
    ['gpt-4o-mini', 0.15],
    ['gpt-4o-mini-2024-07-18', 0.15],
    ['gpt-4o-2024-08-06', 2.5],
    ['GPT-4O', 2.5],
    ['claude-sonnet-4-5-20250929', 3],
    ['claude-opus-4-5', 5],
    ['claude-opus-4-1-20250805', 15],
    ['models/gemini-2.5-flash', 0.3],
    ['gemini-2.5-flash-lite', 0.1],
    ['gpt-4oz', undefined], // a prefix only matches up to a dash
    ['llama3.1:8b', undefined],
  ])('%s costs %s per 1M input tokens', (model, input) => {
    expect(priceOf(model)?.input).toBe(input)
  })

  it.each([
    ['gpt-4o', { inputTokens: 1_000_000, outputTokens: 0 }, 2_500_000],
    ['gpt-4o', { inputTokens: 1000, outputTokens: 1000, cachedTokens: 1000 }, 1250 + 10_000],
    ['gpt-4o-mini', { inputTokens: 1, outputTokens: 0 }, 1], // 0.15 rounds up
    ['unknown-model', { inputTokens: 5_000_000, outputTokens: 5_000_000 }, 0],
  ])('%s %j = %d micro-USD', (model, counts, micros) => {
    expect(costMicros(model, counts)).toBe(micros)
  })
})

describe('usageRange', () => {
  const now = new Date('2026-03-15T10:00:00.000Z')
  it.each([
    [undefined, undefined, '2026-02-13T10:00:00.000Z', '2026-03-15T10:00:00.000Z'],
    ['2026-03-01', '2026-03-31', '2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ['2026-03-01T06:00:00Z', '2026-03-02T06:00:00Z', '2026-03-01T06:00:00.000Z', '2026-03-02T06:00:00.000Z'],
  ])('from %s to %s', (from, to, start, end) => {
    const r = usageRange(from, to, now)
    expect([r.from.toISOString(), r.to.toISOString()]).toEqual([start, end])
  })

  it.each([
    ['2026-03-02', '2026-03-01'],
    ['2024-01-01', '2026-01-01'],
    ['yesterday', undefined],
  ])('refuses from=%s to=%s', (from, to) => {
    expect(() => usageRange(from, to, now)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }))
  })
})
