import { z } from 'zod'
import { ValidationFailed } from '../../shared/errors.ts'
import type { AppMode } from '../system/service-info.port.ts'

/**
 * Settings: typed keys, one zod schema per key and a default for each. Stored values are parsed
 * with the same schemas on read, so a value that no longer fits (an older release wrote it) falls
 * back to the default instead of leaking an unexpected shape.
 */

const positiveInt = z.number().int().positive()

export const UserQuotaDefaults = z.strictObject({
  requestsPerMinute: positiveInt.optional(),
  concurrentStreams: positiveInt.optional(),
  tokensPerDay: positiveInt.optional(),
  tokensPerMonth: positiveInt.optional(),
  costBudgetMicrosPerMonth: positiveInt.optional(),
})
export type UserQuotaDefaults = z.infer<typeof UserQuotaDefaults>

const MAX_UI_PREFERENCES_BYTES = 16 * 1024
export const MAX_SYSTEM_PROMPT_CHARS = 20_000

const modelId = z.string().min(1).max(200)

export const systemSettingSchemas = {
  mode: z.enum(['single-user', 'multi-user']),
  registration: z.enum(['open', 'closed']),
  defaultModelId: modelId.nullable(),
  /** Context budget in tokens; null means "the model's own window". */
  defaultContextBudget: positiveInt.nullable(),
  defaultUserQuota: UserQuotaDefaults,
  maxMessageChars: positiveInt,
}

export const personalSettingSchemas = {
  defaultModelId: modelId.nullable(),
  defaultSystemPrompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).nullable(),
  uiPreferences: z
    .record(z.string(), z.unknown())
    .refine((value) => jsonBytes(value) <= MAX_UI_PREFERENCES_BYTES, {
      message: `must be at most ${MAX_UI_PREFERENCES_BYTES} bytes as JSON`,
    }),
}

type SchemaMap = Record<string, z.ZodType>
type ValuesOf<S extends SchemaMap> = { [K in keyof S]: z.infer<S[K]> }

export type SystemSettings = ValuesOf<typeof systemSettingSchemas>
export type SystemSettingKey = keyof SystemSettings
export type PersonalSettings = ValuesOf<typeof personalSettingSchemas>
export type PersonalSettingKey = keyof PersonalSettings
/** What applies to one user: system values, overridden by the user's own where both have the key. */
export type EffectiveSettings = Omit<SystemSettings, PersonalSettingKey> & PersonalSettings

export type SystemSettingsPatch = Partial<SystemSettings>
export type PersonalSettingsPatch = Partial<PersonalSettings>

export interface SettingsView {
  system: SystemSettings
  personal: PersonalSettings
  effective: EffectiveSettings
}

/** The mode default comes from APP_MODE, so it is supplied rather than fixed here. */
export function systemDefaults(initialMode: AppMode): SystemSettings {
  return {
    mode: initialMode,
    registration: 'open',
    defaultModelId: null,
    defaultContextBudget: null,
    defaultUserQuota: {},
    maxMessageChars: 100_000,
  }
}

export const personalDefaults = (): PersonalSettings => ({
  defaultModelId: null,
  defaultSystemPrompt: null,
  uiPreferences: {},
})

export interface SettingProblem {
  /** The setting key, followed by the path inside its value when there is one. */
  path: string
  message: string
}

function validatePatch<S extends SchemaMap>(schemas: S, patch: Record<string, unknown>, scope: string): Partial<ValuesOf<S>> {
  const problems: SettingProblem[] = []
  const valid: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(patch)) {
    const schema = Object.hasOwn(schemas, key) ? schemas[key] : undefined
    if (!schema) {
      problems.push({ path: key, message: `Unknown ${scope} setting` })
      continue
    }
    const parsed = schema.safeParse(value)
    if (parsed.success) valid[key] = parsed.data
    else problems.push(...parsed.error.issues.map((issue) => ({ path: [key, ...issue.path.map(String)].join('.'), message: issue.message })))
  }
  if (problems.length) throw new ValidationFailed(`Invalid ${scope} settings`, problems)
  return valid as Partial<ValuesOf<S>>
}

/** Throws ValidationFailed naming every unknown key and every bad value. */
export const validateSystemPatch = (patch: Record<string, unknown>): SystemSettingsPatch =>
  validatePatch(systemSettingSchemas, patch, 'system')

export const validatePersonalPatch = (patch: Record<string, unknown>): PersonalSettingsPatch =>
  validatePatch(personalSettingSchemas, patch, 'personal')

/** Stored values over defaults; unknown keys and values that no longer validate are ignored. */
function resolve<S extends SchemaMap>(schemas: S, defaults: ValuesOf<S>, stored: Record<string, unknown>): ValuesOf<S> {
  const result: Record<string, unknown> = { ...defaults }
  for (const key of Object.keys(schemas)) {
    if (!Object.hasOwn(stored, key)) continue
    const parsed = schemas[key]!.safeParse(stored[key])
    if (parsed.success) result[key] = parsed.data
  }
  return result as ValuesOf<S>
}

export const resolveSystemSettings = (stored: Record<string, unknown>, initialMode: AppMode): SystemSettings =>
  resolve(systemSettingSchemas, systemDefaults(initialMode), stored)

export const resolvePersonalSettings = (stored: Record<string, unknown>): PersonalSettings =>
  resolve(personalSettingSchemas, personalDefaults(), stored)

/** A personal value overrides the system one unless it is null ("no preference of my own"). */
export function mergeEffective(system: SystemSettings, personal: PersonalSettings): EffectiveSettings {
  return { ...system, ...personal, defaultModelId: personal.defaultModelId ?? system.defaultModelId }
}

export const settingsView = (system: SystemSettings, personal: PersonalSettings): SettingsView => ({
  system,
  personal,
  effective: mergeEffective(system, personal),
})

function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length
}
