import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors.ts'
import {
  mergeEffective,
  personalDefaults,
  resolvePersonalSettings,
  resolveSystemSettings,
  systemDefaults,
  validatePersonalPatch,
  validateSystemPatch,
} from '../../../src/features/settings/settings.ts'

function problemsOf(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('VALIDATION_FAILED')
    return (err as AppError).details
  }
  throw new Error('expected a ValidationFailed')
}

describe('system settings patch', () => {
  it.each([
    ['mode', 'single-user'],
    ['registration', 'closed'],
    ['defaultModelId', 'model-1'],
    ['defaultModelId', null],
    ['defaultContextBudget', 8000],
    ['defaultContextBudget', null],
    ['defaultUserQuota', {}],
    ['defaultUserQuota', { requestsPerMinute: 10, concurrentStreams: 2, tokensPerDay: 1, tokensPerMonth: 2, costBudgetMicrosPerMonth: 3 }],
    ['maxMessageChars', 1],
  ])('accepts %s = %j', (key, value) => {
    expect(validateSystemPatch({ [key]: value })).toEqual({ [key]: value })
  })

  it.each([
    ['mode', 'solo'],
    ['registration', true],
    ['defaultModelId', ''],
    ['defaultModelId', 42],
    ['defaultContextBudget', 0],
    ['defaultContextBudget', 1.5],
    ['defaultUserQuota', null],
    ['maxMessageChars', -1],
    ['maxMessageChars', '100'],
    ['maxMessageChars', null],
  ])('rejects %s = %j, naming the key', (key, value) => {
    expect(problemsOf(() => validateSystemPatch({ [key]: value }))).toEqual([{ path: key, message: expect.any(String) }])
  })

  it.each([
    [{ tokensPerDay: 0 }, 'defaultUserQuota.tokensPerDay'],
    [{ concurrentStreams: 1.5 }, 'defaultUserQuota.concurrentStreams'],
    [{ unknownLimit: 1 }, 'defaultUserQuota'],
  ])('rejects quota %j at %s', (quota, path) => {
    expect(problemsOf(() => validateSystemPatch({ defaultUserQuota: quota }))).toEqual([expect.objectContaining({ path })])
  })

  it.each(['firstUserIsAdmin', 'defaultSystemPrompt', 'uiPreferences', '__proto__', 'toString'])('rejects the unknown key %s', (key) => {
    expect(problemsOf(() => validateSystemPatch(JSON.parse(`{"${key}": true}`)))).toEqual([{ path: key, message: 'Unknown system setting' }])
  })

  it('reports every problem at once', () => {
    expect(problemsOf(() => validateSystemPatch({ mode: 'x', registration: 'closed', bogus: 1 }))).toEqual([
      { path: 'mode', message: expect.any(String) },
      { path: 'bogus', message: 'Unknown system setting' },
    ])
  })
})

describe('personal settings patch', () => {
  it.each([
    ['defaultModelId', 'm'],
    ['defaultModelId', null],
    ['defaultSystemPrompt', 'x'.repeat(20_000)],
    ['defaultSystemPrompt', null],
    ['uiPreferences', { theme: 'dark', sidebar: { open: true }, recent: [1, 2] }],
    ['uiPreferences', { blob: 'x'.repeat(16 * 1024 - 20) }],
  ])('accepts %s', (key, value) => {
    expect(validatePersonalPatch({ [key]: value })).toEqual({ [key]: value })
  })

  it.each([
    ['defaultSystemPrompt', 'x'.repeat(20_001)],
    ['uiPreferences', { blob: 'x'.repeat(16 * 1024) }],
    ['uiPreferences', { blob: 'é'.repeat(8 * 1024) }],
    ['uiPreferences', ['not', 'an', 'object']],
    ['uiPreferences', null],
  ])('rejects the value of %s, naming the key', (key, value) => {
    expect(problemsOf(() => validatePersonalPatch({ [key]: value }))).toEqual([expect.objectContaining({ path: key })])
  })

  it('rejects a system-only key', () => {
    expect(problemsOf(() => validatePersonalPatch({ registration: 'closed' }))).toEqual([{ path: 'registration', message: 'Unknown personal setting' }])
  })
})

describe('resolving stored values', () => {
  it('uses the defaults, with the mode from APP_MODE', () => {
    expect(resolveSystemSettings({}, 'single-user')).toEqual({
      mode: 'single-user',
      registration: 'open',
      defaultModelId: null,
      defaultContextBudget: null,
      defaultUserQuota: {},
      maxMessageChars: 100_000,
    })
    expect(resolvePersonalSettings({})).toEqual({ defaultModelId: null, defaultSystemPrompt: null, uiPreferences: {} })
  })

  it('prefers stored values, ignores unknown keys and falls back to the default for values that no longer fit', () => {
    const stored = { mode: 'multi-user', registration: 'sometimes', maxMessageChars: 10, retired: 'x' }
    expect(resolveSystemSettings(stored, 'single-user')).toEqual({ ...systemDefaults('single-user'), mode: 'multi-user', maxMessageChars: 10 })
  })
})

describe('effective settings', () => {
  const system = { ...systemDefaults('multi-user'), defaultModelId: 'system-model' }
  it.each([
    [null, 'system-model'],
    ['my-model', 'my-model'],
  ])('personal defaultModelId %j gives %j', (mine, expected) => {
    const effective = mergeEffective(system, { ...personalDefaults(), defaultModelId: mine })
    expect(effective.defaultModelId).toBe(expected)
  })

  it('carries system-only and personal-only keys through', () => {
    const effective = mergeEffective(system, { ...personalDefaults(), defaultSystemPrompt: 'Be brief.' })
    expect(effective).toMatchObject({ registration: 'open', maxMessageChars: 100_000, defaultSystemPrompt: 'Be brief.', uiPreferences: {} })
  })
})
