import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { AuthPolicy } from './auth-policy.ts'
import { InvalidToken, RefreshTokenReused } from './auth.errors.ts'
import { RefreshTokenRepository, type RefreshTokenRecord } from './refresh-token.repository.port.ts'
import { SessionIssuer, hashRefreshToken, type IssuedSession } from './session-issuer.ts'

/** How many rotations a late refresh may follow to the family's current token (within the grace window). */
const MAX_CHAIN = 8

/**
 * Rotates a refresh token. The token's successor is derived from it (RefreshTokenMint), so every
 * refresh that presents the same token names the same successor. Exactly one of them rotates
 * (RefreshTokenRepository.rotate, atomic in the database); the others, when they come within
 * `refreshReuseGraceSeconds` of that rotation, get the same successor back (two tabs, a retried
 * request): nothing is revoked. A used token presented after the window revokes its whole family.
 */
@injectable()
export class RefreshSession {
  constructor(
    @inject(RefreshTokenRepository) private readonly tokens: RefreshTokenRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuthPolicy) private readonly policy: AuthPolicy,
  ) {}

  async execute({ refreshToken }: { refreshToken: string }): Promise<IssuedSession> {
    const now = this.clock.now()
    const record = await this.tokens.findByHash(hashRefreshToken(refreshToken))
    if (!record || record.revokedAt) throw new InvalidToken('The refresh token is invalid or has been revoked')
    if (!record.usedAt && record.expiresAt <= now) throw new InvalidToken('The refresh token has expired; log in again')
    // Tried even when the token reads as used: the repository answers from its own transaction, after
    // a rotation that may still be in flight has committed.
    const successor = this.sessions.successorOf(refreshToken, record)
    const rotation = await this.tokens.rotate(record.id, successor.record, now)
    if (rotation.rotated) return this.sessionFor(record, successor.value, successor.record.expiresAt, now)

    const current = rotation.current
    if (!current || current.revokedAt) throw new InvalidToken('The refresh token is invalid or has been revoked')
    if (!current.usedAt || !this.withinGrace(current.usedAt, now)) {
      await this.tokens.revokeFamily(record.familyId, now)
      throw new RefreshTokenReused()
    }
    // Someone rotated this token a moment ago: hand out the family's current token, which that
    // rotation (and any that followed within the window) made from this one.
    let value = successor.value
    let next = rotation.successor
    for (let hop = 0; next && hop < MAX_CHAIN; hop++) {
      if (next.familyId !== record.familyId || next.revokedAt || next.expiresAt <= now) break
      if (!next.usedAt) return this.sessionFor(next, value, next.expiresAt, now)
      if (!this.withinGrace(next.usedAt, now)) break
      value = this.sessions.successorValueOf(value)
      next = await this.tokens.findByHash(hashRefreshToken(value))
    }
    // No successor we could derive (the JWT secret changed meanwhile, or a rotation was rolled back):
    // refuse this refresh, but leave the login that won alone.
    throw new InvalidToken('The refresh token was just rotated by another request; use the newest one or log in again')
  }

  /** A reuse this soon after the rotation is a race, not a replay. Clocks of replicas may differ a little. */
  private withinGrace(usedAt: Date, now: Date): boolean {
    return now.getTime() - usedAt.getTime() < this.policy.refreshReuseGraceSeconds * 1000
  }

  private async sessionFor(token: Pick<RefreshTokenRecord, 'userId' | 'familyId'>, value: string, expiresAt: Date, now: Date): Promise<IssuedSession> {
    const user = await this.users.findById(token.userId)
    if (!user || user.disabled) {
      await this.tokens.revokeFamily(token.familyId, now)
      throw new InvalidToken('The account is disabled or no longer exists')
    }
    return this.sessions.sessionFor(user, token.familyId, value, expiresAt)
  }
}
