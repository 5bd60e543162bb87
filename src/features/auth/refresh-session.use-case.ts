import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { InvalidToken, RefreshTokenReused } from './auth.errors.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'
import { SessionIssuer, hashRefreshToken, type IssuedSession } from './session-issuer.ts'

/** Rotates a refresh token. Presenting one that was already used revokes its whole family. */
@injectable()
export class RefreshSession {
  constructor(
    @inject(RefreshTokenRepository) private readonly tokens: RefreshTokenRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ refreshToken }: { refreshToken: string }): Promise<IssuedSession> {
    const now = this.clock.now()
    const record = await this.tokens.findByHash(hashRefreshToken(refreshToken))
    if (!record || record.revokedAt) throw new InvalidToken('The refresh token is invalid or has been revoked')
    if (record.usedAt) {
      await this.tokens.revokeFamily(record.familyId, now)
      throw new RefreshTokenReused()
    }
    if (record.expiresAt <= now) throw new InvalidToken('The refresh token has expired; log in again')
    // Two concurrent refreshes with one token: only one wins, the other is treated as reuse.
    if (!(await this.tokens.consume(record.id, now))) {
      await this.tokens.revokeFamily(record.familyId, now)
      throw new RefreshTokenReused()
    }
    const user = await this.users.findById(record.userId)
    if (!user || user.disabled) {
      await this.tokens.revokeFamily(record.familyId, now)
      throw new InvalidToken('The account is disabled or no longer exists')
    }
    return this.sessions.issue(user, record.familyId)
  }
}
