import { describe, expect, it } from 'vitest'
import { COOLDOWN_MS, cooldownFor, laterOf, orderForUse, type CallFailure, type PoolMember } from '../../../src/features/models/credential-pool.ts'
import { failsOver } from '../../../src/features/providers/failover.ts'
import { ProviderError, type ProviderErrorCode } from '../../../src/features/providers/ai-provider.port.ts'

const NOW = 1_000_000
const m = (key: string, weight = 1, cooldownUntilMs: number | null = null): PoolMember => ({ key, weight, cooldownUntilMs })
/** A random source that replays the given numbers. */
const replay = (...values: number[]) => () => values.shift() ?? 0

describe('orderForUse', () => {
  it.each([
    ['first draw falls in the first weight band', [m('a', 1), m('b', 3)], [0.2, 0], ['a', 'b']],
    ['first draw falls in the second weight band', [m('a', 1), m('b', 3)], [0.3, 0], ['b', 'a']],
    ['the last band includes its upper edge', [m('a', 1), m('b', 1)], [0.999999, 0], ['b', 'a']],
    ['drawn members leave the draw', [m('a', 2), m('b', 1), m('c', 1)], [0.1, 0.9, 0], ['a', 'c', 'b']],
    ['cooling members come last, soonest end first', [m('a', 1, NOW + 500), m('b', 1), m('c', 9, NOW + 100)], [0.5], ['b', 'c', 'a']],
    ['an ended cooldown is ready again', [m('a', 1, NOW), m('b', 1, NOW + 1)], [0], ['a', 'b']],
    ['all cooling: the soonest end leads', [m('a', 5, NOW + 30_000), m('b', 1, NOW + 15_000)], [], ['b', 'a']],
    ['nothing to order', [], [], []],
  ] as const)('%s', (_what, members, draws, expected) => {
    expect(orderForUse([...members], NOW, replay(...draws)).map((x) => x.key)).toEqual(expected)
  })

  it('picks first in proportion to the weights (10,000 draws)', () => {
    const members = [m('own', 1), m('a', 2), m('b', 7)]
    const counts: Record<string, number> = { own: 0, a: 0, b: 0 }
    for (let i = 0; i < 10_000; i++) counts[orderForUse(members, NOW, Math.random)[0]!.key]!++
    expect(counts.own! / 10_000).toBeCloseTo(0.1, 1)
    expect(counts.a! / 10_000).toBeCloseTo(0.2, 1)
    expect(counts.b! / 10_000).toBeCloseTo(0.7, 1)
  })

  it('never returns a cooling member before a ready one, and keeps every member', () => {
    const members = [m('hot', 100, NOW + 1), m('x', 1), m('y', 1)]
    for (let i = 0; i < 200; i++) {
      const order = orderForUse(members, NOW, Math.random).map((x) => x.key)
      expect(order.at(-1)).toBe('hot')
      expect([...order].sort()).toEqual(['hot', 'x', 'y'])
    }
  })
})

describe('cooldownFor', () => {
  const f = (status: number, code: ProviderErrorCode | string, retryAfterSeconds?: number): CallFailure => ({ status, code, retryAfterSeconds })
  it.each([
    ['401 bad key', f(401, 'PROVIDER_AUTH_FAILED'), COOLDOWN_MS.auth],
    ['403 no permission', f(403, 'PROVIDER_AUTH_FAILED'), COOLDOWN_MS.auth],
    ['Gemini 400 API_KEY_INVALID', f(400, 'PROVIDER_AUTH_FAILED'), COOLDOWN_MS.auth],
    ['429 without retry-after', f(429, 'PROVIDER_RATE_LIMITED'), 60_000],
    ['429 with retry-after 7 s', f(429, 'PROVIDER_RATE_LIMITED', 7), 7_000],
    ['429 with fractional retry-after', f(429, 'PROVIDER_RATE_LIMITED', 0.25), 1_000],
    ['429 with a huge retry-after is capped at 1 h', f(429, 'PROVIDER_RATE_LIMITED', 86_400), 3_600_000],
    ['429 insufficient_quota (not retryable)', f(429, 'PROVIDER_RATE_LIMITED'), 60_000],
    ['529 overloaded', f(529, 'PROVIDER_UNAVAILABLE'), 30_000],
    ['503 overloaded', f(503, 'PROVIDER_UNAVAILABLE'), 30_000],
    ['500', f(500, 'PROVIDER_UNAVAILABLE'), 15_000],
    ['502', f(502, 'PROVIDER_UNAVAILABLE'), 15_000],
    ['504', f(504, 'PROVIDER_UNAVAILABLE'), 15_000],
    ['network failure', f(0, 'PROVIDER_UNAVAILABLE'), 15_000],
    ['overload reported inside a 200 stream', f(200, 'PROVIDER_UNAVAILABLE'), 15_000],
    ['400 bad request: not the key', f(400, 'PROVIDER_BAD_REQUEST'), null],
    ['400 context too long: not the key', f(400, 'CONTEXT_TOO_LONG'), null],
    ['404 unknown model: not the key', f(404, 'PROVIDER_BAD_REQUEST'), null],
  ])('%s', (_what, failure, expected) => {
    expect(cooldownFor(failure)).toBe(expected)
  })

  it('agrees with failover: a failure is failed over exactly when it earns a cooldown', () => {
    const cases: [ProviderErrorCode, number][] = [
      ['PROVIDER_AUTH_FAILED', 401], ['PROVIDER_AUTH_FAILED', 403], ['PROVIDER_AUTH_FAILED', 400], ['PROVIDER_RATE_LIMITED', 429],
      ['PROVIDER_UNAVAILABLE', 500], ['PROVIDER_UNAVAILABLE', 503], ['PROVIDER_UNAVAILABLE', 529], ['PROVIDER_UNAVAILABLE', 0],
      ['PROVIDER_UNAVAILABLE', 408], ['PROVIDER_UNAVAILABLE', 200], ['PROVIDER_BAD_REQUEST', 400], ['CONTEXT_TOO_LONG', 400],
      ['PROVIDER_BAD_REQUEST', 404], ['PROVIDER_ERROR', 200],
    ]
    for (const [code, status] of cases) {
      const error = new ProviderError(code, { provider: 'openai', status, retryable: false, providerMessage: 'x' })
      expect(failsOver(error), `${code} ${status}`).toBe(cooldownFor(error) !== null)
    }
  })
})

describe('laterOf', () => {
  it.each([
    [null, null, null],
    [5, null, 5],
    [null, 7, 7],
    [5, 7, 7],
  ])('laterOf(%s, %s) = %s', (a, b, expected) => expect(laterOf(a, b)).toBe(expected))
})
