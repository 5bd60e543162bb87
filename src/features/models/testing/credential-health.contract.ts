import { describe, expect, it } from 'vitest'
import type { ManualClock } from '../../../shared/testing/fakes.ts'
import type { CredentialHealth } from '../credential-health.port.ts'

/** One suite for every CredentialHealth: the in-process one and the Redis one. */
export function credentialHealthContract(name: string, make: (clock: ManualClock) => Promise<CredentialHealth>, newClock: () => ManualClock): void {
  describe(`CredentialHealth contract: ${name}`, () => {
    const setup = async () => {
      const clock = newClock()
      return { clock, health: await make(clock), now: () => clock.now().getTime() }
    }

    it('reports nothing for keys that never cooled down', async () => {
      const { health } = await setup()
      expect(await health.states(['a', 'b'])).toEqual(new Map())
      expect(await health.states([])).toEqual(new Map())
    })

    it('reports a cooldown with its end and status until it ends', async () => {
      const { health, clock, now } = await setup()
      const until = now() + 60_000
      await health.coolDown('k1', until, 429)
      expect(await health.states(['k1', 'k2'])).toEqual(new Map([['k1', { cooldownUntilMs: until, lastStatus: 429 }]]))
      clock.advance(60_000)
      expect(await health.states(['k1'])).toEqual(new Map())
    })

    it('only ever lengthens a cooldown', async () => {
      const { health, now } = await setup()
      const long = now() + 30 * 60_000
      await health.coolDown('k', long, 401)
      await health.coolDown('k', now() + 15_000, 500)
      expect((await health.states(['k'])).get('k')).toEqual({ cooldownUntilMs: long, lastStatus: 401 })
      await health.coolDown('k', long + 1000, 0)
      expect((await health.states(['k'])).get('k')).toEqual({ cooldownUntilMs: long + 1000, lastStatus: 0 })
    })

    it('ignores a cooldown that already ended', async () => {
      const { health, now } = await setup()
      await health.coolDown('past', now() - 1, 503)
      expect(await health.states(['past'])).toEqual(new Map())
    })
  })
}
