import { describe, expect, it } from 'vitest'
import { InProcessSettingsChangeBus } from '../../../src/features/settings/adapters/in-process-settings-change-bus.ts'
import type { SettingsChange } from '../../../src/features/settings/settings-change-bus.port.ts'

const change: SettingsChange = { scope: 'system', keys: ['mode'] }

describe('InProcessSettingsChangeBus', () => {
  it('calls every subscriber before publish resolves', async () => {
    const bus = new InProcessSettingsChangeBus()
    const seen: string[] = []
    bus.subscribe(() => seen.push('a'))
    bus.subscribe(() => seen.push('b'))
    await bus.publish(change)
    expect(seen).toEqual(['a', 'b'])
  })

  it('stops calling a subscriber once it unsubscribes, even the same function subscribed twice', async () => {
    const bus = new InProcessSettingsChangeBus()
    let calls = 0
    const listener = () => void calls++
    const first = bus.subscribe(listener)
    bus.subscribe(listener)
    first()
    await bus.publish(change)
    expect(calls).toBe(1)
  })

  it('still calls the others when one subscriber throws, then reports the failure', async () => {
    const bus = new InProcessSettingsChangeBus()
    const seen: SettingsChange[] = []
    bus.subscribe(() => {
      throw new Error('boom')
    })
    bus.subscribe((c) => seen.push(c))
    await expect(bus.publish(change)).rejects.toBeInstanceOf(AggregateError)
    expect(seen).toEqual([change])
  })
})
