import { describe, expect, it } from 'vitest'
import { InProcessCacheInvalidation } from '../../../src/shared/infra/in-process-cache-invalidation.ts'
import { SettlingCacheInvalidation } from '../../../src/shared/settling-cache-invalidation.ts'
import { PassThroughUnitOfWork } from '../../../src/shared/testing/fakes.ts'

describe('SettlingCacheInvalidation', () => {
  const setUp = () => {
    const unit = new PassThroughUnitOfWork()
    const bus = new SettlingCacheInvalidation(new InProcessCacheInvalidation(), unit)
    const heard: string[] = []
    bus.subscribe('models', (ids) => heard.push(ids === null ? '*' : ids.join()))
    return { unit, bus, heard }
  }

  it('publishes once outside a unit of work', async () => {
    const { bus, heard } = setUp()
    await bus.publish('models', ['m-1'])
    expect(heard).toEqual(['m-1'])
  })

  it('inside one, publishes at once and again when the unit has ended, even when it failed', async () => {
    const { unit, bus, heard } = setUp()
    await unit.run(async () => {
      await bus.publish('models', ['m-1'])
      await bus.publish('models', null)
      expect(heard).toEqual(['m-1', '*'])
    })
    expect(heard).toEqual(['m-1', '*', 'm-1', '*'])
    await unit.run(async () => {
      await bus.publish('models', ['m-2'])
      throw new Error('rolled back')
    }).catch(() => {})
    expect(heard.slice(4)).toEqual(['m-2', 'm-2'])
  })
})
