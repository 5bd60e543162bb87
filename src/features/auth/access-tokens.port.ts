import { token } from '../../shared/di.ts'
import type { Role } from '../../shared/actor.ts'

export interface AccessClaims {
  userId: string
  username: string
  role: Role
  /** The user's tokenVersion when issued; a bump invalidates the token at once. */
  tokenVersion: number
  /** The refresh-token family (login) this access token belongs to. */
  familyId: string
}

export interface IssuedAccessToken {
  token: string
  expiresInSeconds: number
}

export interface AccessTokens {
  issue(claims: AccessClaims): IssuedAccessToken
  /** Throws TokenExpired or InvalidToken. */
  verify(token: string): AccessClaims
}
export const AccessTokens = token<AccessTokens>('AccessTokens')
