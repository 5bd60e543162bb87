import { beforeEach, describe, expect, it } from 'vitest'
import { systemDefaults } from '../../../src/features/settings/settings.ts'
import { admin, alice, settingsHarness } from './fixtures.ts'

let h: ReturnType<typeof settingsHarness>
beforeEach(() => {
  h = settingsHarness()
})

describe('GetEffectiveSettings', () => {
  it('shows defaults to anyone, with the mode from APP_MODE', async () => {
    const view = await h.getEffective.execute({ actor: alice })
    expect(view.system).toEqual(systemDefaults('multi-user'))
    expect(view.personal).toEqual({ defaultModelId: null, defaultSystemPrompt: null, uiPreferences: {} })
    expect(view.effective).toEqual({ ...view.system, ...view.personal })
  })

  it('lets a personal default model override the system one', async () => {
    await h.repository.setSystem({ defaultModelId: 'everyone' }, 'admin-1')
    await h.repository.setUser(alice.userId, { defaultModelId: 'mine' })
    const view = await h.getEffective.execute({ actor: alice })
    expect(view.system.defaultModelId).toBe('everyone')
    expect(view.effective.defaultModelId).toBe('mine')
    expect((await h.getEffective.execute({ actor: admin })).effective.defaultModelId).toBe('everyone')
  })
})

describe('UpdateSystemSettings', () => {
  it('is for administrators only', async () => {
    await expect(h.updateSystem.execute({ actor: alice, patch: { registration: 'closed' } })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(h.repository.system.size).toBe(0)
    expect(h.audit.records).toEqual([])
  })

  it('validates before writing anything', async () => {
    const attempt = h.updateSystem.execute({ actor: admin, patch: { registration: 'closed', maxMessageChars: 0, nope: 1 } })
    await expect(attempt).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { path: 'maxMessageChars', message: expect.any(String) },
        { path: 'nope', message: 'Unknown system setting' },
      ],
    })
    expect(h.repository.system.size).toBe(0)
  })

  it('writes every key, remembers who, and returns the new view', async () => {
    const view = await h.updateSystem.execute({ actor: admin, patch: { registration: 'closed', defaultUserQuota: { tokensPerDay: 1000 } } })
    expect(view.system).toMatchObject({ registration: 'closed', defaultUserQuota: { tokensPerDay: 1000 } })
    expect(h.repository.system.get('registration')).toEqual({ value: '"closed"', updatedBy: 'admin-1' })
  })

  it('writes an audit entry with the changed keys and their new values', async () => {
    await h.updateSystem.execute({ actor: admin, patch: { mode: 'single-user', defaultContextBudget: null } })
    expect(h.audit.records).toEqual([
      expect.objectContaining({
        actorId: 'admin-1',
        action: 'settings.system_changed',
        targetType: 'system_settings',
        metadata: { keys: ['defaultContextBudget', 'mode'], values: { mode: 'single-user', defaultContextBudget: null } },
      }),
    ])
  })

  it('does nothing for an empty patch', async () => {
    const view = await h.updateSystem.execute({ actor: admin, patch: {} })
    expect(view.system).toEqual(systemDefaults('multi-user'))
    expect(h.audit.records).toEqual([])
  })

  it('publishes the change so every replica drops its cache', async () => {
    const seen: unknown[] = []
    h.bus.subscribe((change) => seen.push(change))
    await h.updateSystem.execute({ actor: admin, patch: { registration: 'closed' } })
    expect(seen).toEqual([{ scope: 'system', keys: ['registration'] }])
  })

  it('is seen by the next read (the cache is invalidated)', async () => {
    expect(await h.reader.get('registration')).toBe('open')
    await h.updateSystem.execute({ actor: admin, patch: { registration: 'closed' } })
    expect(await h.reader.get('registration')).toBe('closed')
    expect(await h.reader.currentMode()).toBe('multi-user')
    await h.updateSystem.execute({ actor: admin, patch: { mode: 'single-user' } })
    expect(await h.reader.currentMode()).toBe('single-user')
    expect((await h.getEffective.execute({ actor: alice })).system.mode).toBe('single-user')
  })
})

describe('UpdateMySettings', () => {
  it('changes only my own settings', async () => {
    const view = await h.updateMine.execute({ actor: alice, patch: { defaultSystemPrompt: 'Be brief.', uiPreferences: { theme: 'dark' } } })
    expect(view.personal).toEqual({ defaultModelId: null, defaultSystemPrompt: 'Be brief.', uiPreferences: { theme: 'dark' } })
    expect((await h.getEffective.execute({ actor: admin })).personal.defaultSystemPrompt).toBeNull()
  })

  it('keeps keys it was not given', async () => {
    await h.updateMine.execute({ actor: alice, patch: { defaultModelId: 'm-1' } })
    const view = await h.updateMine.execute({ actor: alice, patch: { uiPreferences: { compact: true } } })
    expect(view.personal).toMatchObject({ defaultModelId: 'm-1', uiPreferences: { compact: true } })
    expect(view.effective.defaultModelId).toBe('m-1')
  })

  it('rejects system keys and bad values, writing nothing', async () => {
    await expect(h.updateMine.execute({ actor: alice, patch: { registration: 'closed' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'registration', message: 'Unknown personal setting' }],
    })
    await expect(h.updateMine.execute({ actor: alice, patch: { defaultSystemPrompt: 'x'.repeat(20_001) } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(h.repository.users.size).toBe(0)
  })

  it('publishes a user-scoped change and leaves the system cache alone', async () => {
    const seen: unknown[] = []
    h.bus.subscribe((change) => seen.push(change))
    await h.updateMine.execute({ actor: alice, patch: { defaultModelId: 'm' } })
    expect(seen).toEqual([{ scope: 'user', userId: 'user-1', keys: ['defaultModelId'] }])
  })
})

describe('default model references', () => {
  it('takes only a system model as the system default', async () => {
    for (const id of ['everyone', 'admins-only']) {
      expect((await h.updateSystem.execute({ actor: admin, patch: { defaultModelId: id } })).system.defaultModelId).toBe(id)
    }
    for (const id of ['mine', 'bobs', 'no-such-model']) {
      await expect(h.updateSystem.execute({ actor: admin, patch: { defaultModelId: id, maxMessageChars: 5 } })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'defaultModelId', message: expect.stringContaining('system model') }],
      })
    }
    // Nothing of a refused patch is written, and null clears the default.
    expect((await h.getEffective.execute({ actor: admin })).system).toMatchObject({ defaultModelId: 'admins-only', maxMessageChars: 100_000 })
    expect((await h.updateSystem.execute({ actor: admin, patch: { defaultModelId: null } })).system.defaultModelId).toBeNull()
  })

  it('takes my own model or a system model I may use as my default, nothing else', async () => {
    for (const id of ['mine', 'everyone']) {
      expect((await h.updateMine.execute({ actor: alice, patch: { defaultModelId: id } })).personal.defaultModelId).toBe(id)
    }
    for (const id of ['bobs', 'admins-only', 'no-such-model']) {
      await expect(h.updateMine.execute({ actor: alice, patch: { defaultModelId: id } })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'defaultModelId' }],
      })
    }
    expect((await h.getEffective.execute({ actor: alice })).personal.defaultModelId).toBe('everyone')
  })
})
