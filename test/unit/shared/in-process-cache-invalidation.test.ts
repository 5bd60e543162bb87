import { describe, expect, it } from 'vitest'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'

type Heard = Array<readonly string[] | null>

function listen(bus: InProcessCacheInvalidation, topic: string): { heard: Heard; stop: () => void } {
  const heard: Heard = []
  const stop = bus.subscribe(topic, (ids) => void heard.push(ids))
  return { heard, stop }
}

describe('InProcessCacheInvalidation', () => {
  it('delivers a message to the listeners of its topic only, before publish resolves', async () => {
    const bus = new InProcessCacheInvalidation()
    const keys = listen(bus, 'platform-keys')
    const keys2 = listen(bus, 'platform-keys')
    const models = listen(bus, 'model-configs')
    const pending = bus.publish('platform-keys', ['k1', 'k2'])
    await pending
    expect(keys.heard).toEqual([['k1', 'k2']])
    expect(keys2.heard).toEqual([['k1', 'k2']])
    expect(models.heard).toEqual([])
    await bus.publish('model-configs', null)
    expect(models.heard).toEqual([null])
    expect(keys.heard).toHaveLength(1)
    await bus.publish('nobody-listens', ['x'])
    expect([keys.heard.length, models.heard.length]).toEqual([1, 1])
  })

  it('stops calling a listener once it unsubscribed, and leaves the others alone', async () => {
    const bus = new InProcessCacheInvalidation()
    const first = listen(bus, 't')
    const second = listen(bus, 't')
    await bus.publish('t', ['a'])
    first.stop()
    first.stop() // twice is harmless
    await bus.publish('t', ['b'])
    expect(first.heard).toEqual([['a']])
    expect(second.heard).toEqual([['a'], ['b']])
  })

  it('treats the same function subscribed twice as two subscriptions', async () => {
    const bus = new InProcessCacheInvalidation()
    const heard: Heard = []
    const listener = (ids: readonly string[] | null) => void heard.push(ids)
    const stopFirst = bus.subscribe('t', listener)
    bus.subscribe('t', listener)
    await bus.publish('t', ['a'])
    expect(heard).toEqual([['a'], ['a']])
    stopFirst()
    await bus.publish('t', ['b'])
    expect(heard).toEqual([['a'], ['a'], ['b']])
  })

  it('keeps calling the other listeners when one throws, and publish still resolves', async () => {
    const bus = new InProcessCacheInvalidation()
    const before = listen(bus, 't')
    bus.subscribe('t', () => {
      throw new Error('broken listener')
    })
    const after = listen(bus, 't')
    await expect(bus.publish('t', ['a'])).resolves.toBeUndefined()
    expect(before.heard).toEqual([['a']])
    expect(after.heard).toEqual([['a']])
  })

  it('deliver(null, null) tells every listener of every topic that anything may have changed', () => {
    const bus = new InProcessCacheInvalidation()
    const a = listen(bus, 'a')
    const b = listen(bus, 'b')
    bus.deliver(null, null)
    expect(a.heard).toEqual([null])
    expect(b.heard).toEqual([null])
  })

  it('lets a listener unsubscribe itself while a message is being delivered', async () => {
    const bus = new InProcessCacheInvalidation()
    const heard: string[] = []
    const stop = bus.subscribe('t', () => {
      heard.push('once')
      stop()
    })
    const other = listen(bus, 't')
    await bus.publish('t', ['a'])
    await bus.publish('t', ['b'])
    expect(heard).toEqual(['once'])
    expect(other.heard).toEqual([['a'], ['b']])
  })
})
