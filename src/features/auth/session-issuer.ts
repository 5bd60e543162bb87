import { createHash, randomBytes } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import type { User } from '../users/user.ts'
import { publicUser } from '../users/user.ts'
import { AccessTokens } from './access-tokens.port.ts'
import { AuthPolicy } from './auth-policy.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'

/** Refresh tokens are 256-bit random values, so a fast hash is enough to store them safely. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('base64url')

export interface IssuedSession {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshToken: string
  refreshExpiresAt: string
  user: ReturnType<typeof publicUser>
}

/** Issues an access token plus a new refresh token in the given family (a new family on login). */
@injectable()
export class SessionIssuer {
  constructor(
    @inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenRepository,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuthPolicy) private readonly policy: AuthPolicy,
  ) {}

  async issue(user: User, familyId: string = this.ids.next()): Promise<IssuedSession> {
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`
    const expiresAt = new Date(this.clock.now().getTime() + this.policy.refreshTokenTtlSeconds * 1000)
    await this.refreshTokens.create({
      id: this.ids.next(),
      userId: user.id,
      tokenHash: hashRefreshToken(refreshToken),
      familyId,
      expiresAt,
    })
    const access = this.accessTokens.issue({
      userId: user.id,
      username: user.username,
      role: user.role,
      tokenVersion: user.tokenVersion,
      familyId,
    })
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresInSeconds,
      refreshToken,
      refreshExpiresAt: expiresAt.toISOString(),
      user: publicUser(user),
    }
  }
}
