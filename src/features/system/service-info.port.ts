import { token } from '../../shared/di.ts'

export type AppMode = 'single-user' | 'multi-user'

export interface ServiceIdentity {
  name: string
  version: string
  databaseKind: 'sqlite' | 'postgres'
}
export const ServiceIdentity = token<ServiceIdentity>('ServiceIdentity')

/** The current mode; it can change at runtime through system settings. */
export interface ModeReader {
  currentMode(): Promise<AppMode>
}
export const ModeReader = token<ModeReader>('ModeReader')
