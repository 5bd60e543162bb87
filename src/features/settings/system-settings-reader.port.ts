import { token } from '../../shared/di.ts'
import type { SystemSettingKey, SystemSettings } from './settings.ts'

/** What other features read (registration policy, quota defaults...). Served from a cache. */
export interface SystemSettingsReader {
  get<K extends SystemSettingKey>(key: K): Promise<SystemSettings[K]>
  all(): Promise<SystemSettings>
}
export const SystemSettingsReader = token<SystemSettingsReader>('SystemSettingsReader')
