import { token } from '../../shared/di.ts'

/** Whether self-registration is open right now (mode and registration policy live in system settings). */
export interface RegistrationGate {
  check(): Promise<{ open: true } | { open: false; reason: string }>
}
export const RegistrationGate = token<RegistrationGate>('RegistrationGate')
