import { token } from '../../shared/di.ts'

/** Authentication settings from the environment, handed to the auth use cases by the composition root. */
export interface AuthPolicy {
  accessTokenTtlSeconds: number
  refreshTokenTtlSeconds: number
  /**
   * A refresh token presented again this soon after it was rotated gets the same successor (two
   * tabs refreshing at once); later, the reuse revokes its family. 0: every reuse revokes.
   */
  refreshReuseGraceSeconds: number
  firstUserIsAdmin: boolean
  adminUsername?: string
  adminPassword?: string
}
export const AuthPolicy = token<AuthPolicy>('AuthPolicy')
