import { token } from '../../shared/di.ts'

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/** Caps self-registrations per client address (REGISTRATION_RATE_PER_HOUR), shared by every replica with Redis. */
export interface RegistrationLimiter {
  /** Counts one registration attempt from this address, or refuses it (and counts nothing more) when its window is full. */
  admit(address: string): Promise<Admission>
}
export const RegistrationLimiter = token<RegistrationLimiter>('RegistrationLimiter')

/** REGISTRATION_RATE_PER_HOUR=0: no limit. */
export const UNLIMITED_REGISTRATIONS: RegistrationLimiter = { admit: async () => ({ allowed: true }) }
