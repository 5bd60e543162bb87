import { z } from '@hono/zod-openapi'
import { personalSettingSchemas, systemSettingSchemas } from './settings.ts'

/** HTTP shapes, built from the domain's per-key schemas so the two cannot drift apart. */

const optionalAll = <S extends Record<string, z.ZodType>>(schemas: S) =>
  Object.fromEntries(Object.entries(schemas).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof S]: z.ZodOptional<S[K]>
  }

export const SystemSettingsPatchBody = z
  .strictObject(optionalAll(systemSettingSchemas))
  .openapi('SystemSettingsPatch', { description: 'Only the keys to change. Unknown keys are rejected.' })

export const PersonalSettingsPatchBody = z
  .strictObject(optionalAll(personalSettingSchemas))
  .openapi('PersonalSettingsPatch', { description: 'Only the keys to change. Unknown keys are rejected.' })

const SystemSettingsBody = z.object(systemSettingSchemas).openapi('SystemSettings')
const PersonalSettingsBody = z.object(personalSettingSchemas).openapi('PersonalSettings')
const EffectiveSettingsBody = z.object({ ...systemSettingSchemas, ...personalSettingSchemas }).openapi('EffectiveSettings')

export const SettingsViewBody = z
  .object({ system: SystemSettingsBody, personal: PersonalSettingsBody, effective: EffectiveSettingsBody })
  .openapi('SettingsView')
