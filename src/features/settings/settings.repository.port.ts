import { token } from '../../shared/di.ts'

/**
 * Raw stored settings, key -> JSON value. The repository neither validates nor fills defaults:
 * settings.ts does both, so a stored value an older release wrote is never trusted blindly.
 */
export interface SettingsRepository {
  getSystem(): Promise<Record<string, unknown>>
  /** Writes every key in one transaction: either all of them change or none. */
  setSystem(values: Record<string, unknown>, updatedBy: string | null): Promise<void>
  getUser(userId: string): Promise<Record<string, unknown>>
  /** Writes every key in one transaction. The user must exist. */
  setUser(userId: string, values: Record<string, unknown>): Promise<void>
}
export const SettingsRepository = token<SettingsRepository>('SettingsRepository')
