import { token } from '../../shared/di.ts'

/** Something the service needs in order to serve (the database, Redis). `check` throws when it is down. */
export interface HealthProbe {
  readonly name: string
  check(): Promise<void>
}
export const HealthProbes = token<HealthProbe[]>('HealthProbes')
