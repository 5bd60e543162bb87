import { describe, expect, it } from 'vitest'
import type { LoginThrottle, ThrottleKey } from '../login-throttle.port.ts'

export interface ThrottleUnderTest {
  /** Two throttles sharing one state (two replicas on one Redis); the same instance twice in-process. */
  replicas: [LoginThrottle, LoginThrottle]
  /** Lets time pass: a manual clock, or a real wait for Redis (which measures time itself). */
  elapse(ms: number): Promise<void>
}

let run = 0
const key = (allowance: number, maxDelaySeconds = 900): ThrottleKey => ({
  id: `contract-${++run}-${Math.random().toString(36).slice(2, 8)}`,
  allowance,
  maxDelaySeconds,
})
const granted = (results: { granted: boolean }[]) => results.filter((r) => r.granted).length

/** One behaviour for every LoginThrottle: the in-memory one and the Redis one. */
export function loginThrottleContract(name: string, make: () => Promise<ThrottleUnderTest> | ThrottleUnderTest): void {
  describe(`LoginThrottle contract: ${name}`, () => {
    it('grants the allowance, then refuses with retry-after and counts nothing while refusing', async () => {
      const { replicas: [throttle], elapse } = await make()
      const k = key(3)
      for (let i = 0; i < 3; i++) expect(await throttle.reserve([k])).toEqual({ granted: true })
      for (let i = 0; i < 4; i++) expect(await throttle.reserve([k])).toEqual({ granted: false, retryAfterSeconds: 1 })
      await elapse(1100)
      // Had the refusals counted, this wait would be far longer than 2 s.
      expect(await throttle.reserve([k])).toEqual({ granted: true })
      expect(await throttle.reserve([k])).toEqual({ granted: false, retryAfterSeconds: 2 })
    })

    it('grants exactly the allowance to a burst of parallel attempts, across replicas', async () => {
      const { replicas: [a, b] } = await make()
      const k = key(5)
      const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).reserve([k])))
      expect(granted(results)).toBe(5)
      expect(results.filter((r) => !r.granted).every((r) => !r.granted && r.retryAfterSeconds === 1)).toBe(true)
    })

    it('refuses when any key waits, with the longest wait, and then counts on no key', async () => {
      const { replicas: [throttle] } = await make()
      const [busy, busier, fresh] = [key(1), key(2), key(2)]
      await throttle.reserve([busy])
      await throttle.reserve([busier])
      await throttle.reserve([busier])
      await throttle.reserve([busier])
      expect(await throttle.reserve([busy, busier, fresh])).toEqual({ granted: false, retryAfterSeconds: 1 })
      // busier: 2 granted, its wait started at the 2nd; the 3rd was refused. fresh still has both attempts.
      expect(granted([await throttle.reserve([fresh]), await throttle.reserve([fresh])])).toBe(2)
    })

    it('gives a released attempt back, and below the allowance there is no wait', async () => {
      const { replicas: [a, b] } = await make()
      const k = key(2)
      await a.reserve([k])
      await a.reserve([k])
      expect((await b.reserve([k])).granted).toBe(false)
      await b.release([k])
      expect(await a.reserve([k])).toEqual({ granted: true })
      expect((await a.reserve([k])).granted).toBe(false)
    })

    it('release never goes below zero and reset forgets a key', async () => {
      const { replicas: [throttle] } = await make()
      const [k, other] = [key(2), key(2)]
      await throttle.release([k])
      await throttle.release([k])
      expect(granted([await throttle.reserve([k]), await throttle.reserve([k]), await throttle.reserve([k])])).toBe(2)
      await throttle.reserve([other])
      await throttle.reset([k])
      expect(granted([await throttle.reserve([k]), await throttle.reserve([k])])).toBe(2)
      expect(granted([await throttle.reserve([other]), await throttle.reserve([other])])).toBe(1) // untouched by the reset
    })
  })
}
