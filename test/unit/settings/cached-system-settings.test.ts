import { describe, expect, it, vi } from 'vitest'
import { InProcessSettingsChangeBus } from '../../../src/features/settings/adapters/in-process-settings-change-bus.ts'
import { CachedSystemSettings } from '../../../src/features/settings/cached-system-settings.ts'
import { InMemorySettingsRepository } from '../../../src/features/settings/testing/in-memory-settings.repository.ts'

function setup() {
  const repository = new InMemorySettingsRepository()
  const bus = new InProcessSettingsChangeBus()
  const reader = new CachedSystemSettings(repository, bus, 'single-user')
  const loads = vi.spyOn(repository, 'getSystem')
  return { repository, bus, reader, loads }
}

describe('CachedSystemSettings', () => {
  it('reads the store once and serves later reads from the cache', async () => {
    const { reader, loads } = setup()
    const [a, b] = await Promise.all([reader.all(), reader.all()])
    expect(a).toBe(b)
    expect(await reader.get('maxMessageChars')).toBe(100_000)
    expect(loads).toHaveBeenCalledTimes(1)
  })

  it('drops the cache when another replica publishes a system change', async () => {
    const { repository, bus, reader } = setup()
    expect(await reader.get('registration')).toBe('open')
    // Another replica wrote to the shared database: not visible until it says so on the bus.
    await repository.setSystem({ registration: 'closed' }, 'admin-2')
    expect(await reader.get('registration')).toBe('open')
    await bus.publish({ scope: 'system', keys: ['registration'] })
    expect(await reader.get('registration')).toBe('closed')
  })

  it('ignores personal changes', async () => {
    const { bus, reader, loads } = setup()
    await reader.all()
    await bus.publish({ scope: 'user', userId: 'u', keys: ['defaultModelId'] })
    await reader.all()
    expect(loads).toHaveBeenCalledTimes(1)
  })

  it('does not keep a load that an invalidation overtook', async () => {
    const { repository, bus, reader } = setup()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const real = repository.getSystem.bind(repository)
    vi.spyOn(repository, 'getSystem').mockImplementationOnce(async () => {
      const stale = await real()
      await gate
      return stale
    })
    const slow = reader.all()
    await repository.setSystem({ registration: 'closed' }, 'admin')
    await bus.publish({ scope: 'system', keys: ['registration'] })
    release()
    expect((await slow).registration).toBe('open')
    expect(await reader.get('registration')).toBe('closed')
  })

  it('does not cache a failed load', async () => {
    const { repository, reader } = setup()
    vi.spyOn(repository, 'getSystem').mockRejectedValueOnce(new Error('database down'))
    await expect(reader.all()).rejects.toThrow('database down')
    expect(await reader.get('registration')).toBe('open')
  })

  it('serves the mode as a ModeReader, defaulting to APP_MODE', async () => {
    const { repository, bus, reader } = setup()
    expect(await reader.currentMode()).toBe('single-user')
    await repository.setSystem({ mode: 'multi-user' }, 'admin')
    await bus.publish({ scope: 'system', keys: ['mode'] })
    expect(await reader.currentMode()).toBe('multi-user')
  })

  it('hands out a frozen object, so no caller can change what the others see', async () => {
    const { reader } = setup()
    const all = await reader.all()
    expect(() => {
      ;(all as { registration: string }).registration = 'closed'
    }).toThrow(TypeError)
    expect(Object.isFrozen(all.defaultUserQuota)).toBe(true)
  })
})
