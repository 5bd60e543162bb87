import { createHash } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import type { User } from '../users/user.ts'
import { publicUser } from '../users/user.ts'
import { AccessTokens } from './access-tokens.port.ts'
import { AuthPolicy } from './auth-policy.ts'
import { RefreshTokenMint } from './refresh-token-mint.port.ts'
import { RefreshTokenRepository, type NewRefreshToken, type RefreshTokenRecord } from './refresh-token.repository.port.ts'

/** Refresh tokens are 256-bit values, so a fast hash is enough to store them safely. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('base64url')

export interface IssuedSession {
  accessToken: string
  tokenType: 'Bearer'
  expiresIn: number
  refreshToken: string
  refreshExpiresAt: string
  user: ReturnType<typeof publicUser>
}

/** A refresh token's value with the row that stores (the hash of) it. */
export interface MintedRefreshToken {
  value: string
  record: NewRefreshToken
}

/**
 * Issues sessions: a new login (a new refresh-token family), the successor of a presented refresh
 * token, and the access token that goes with a refresh token.
 */
@injectable()
export class SessionIssuer {
  constructor(
    @inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenRepository,
    @inject(RefreshTokenMint) private readonly mint: RefreshTokenMint,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuthPolicy) private readonly policy: AuthPolicy,
  ) {}

  /** A new login: a new family with a random refresh token. */
  async issue(user: User): Promise<IssuedSession> {
    const token = this.minted(this.mint.fresh(), user.id, this.ids.next())
    await this.refreshTokens.create(token.record)
    return this.sessionFor(user, token.record.familyId, token.value, token.record.expiresAt)
  }

  /** The successor of a presented refresh token: the same value for everyone who presents it. */
  successorOf(presented: string, previous: Pick<RefreshTokenRecord, 'userId' | 'familyId'>): MintedRefreshToken {
    return this.minted(this.mint.successorOf(presented), previous.userId, previous.familyId)
  }

  /** The value that follows a presented token, without making a row: to walk a chain of rotations. */
  successorValueOf(presented: string): string {
    return this.mint.successorOf(presented)
  }

  /** A fresh access token for a refresh token of the family, which is handed back as it is. */
  sessionFor(user: User, familyId: string, refreshToken: string, refreshExpiresAt: Date): IssuedSession {
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
      refreshExpiresAt: refreshExpiresAt.toISOString(),
      user: publicUser(user),
    }
  }

  private minted(value: string, userId: string, familyId: string): MintedRefreshToken {
    const expiresAt = new Date(this.clock.now().getTime() + this.policy.refreshTokenTtlSeconds * 1000)
    return { value, record: { id: this.ids.next(), userId, tokenHash: hashRefreshToken(value), familyId, expiresAt } }
  }
}
