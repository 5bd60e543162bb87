import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { toActor } from '../users/user.ts'
import { AccessTokens } from './access-tokens.port.ts'
import { InvalidToken } from './auth.errors.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'

export interface AuthenticatedCaller {
  actor: Actor
  familyId: string
  mustChangePassword: boolean
}

/**
 * Verifies an access token and re-checks the user on every request, so that disabling, deleting,
 * a password change or a logout takes effect at once rather than at expiry.
 */
@injectable()
export class AuthenticateAccessToken {
  constructor(
    @inject(AccessTokens) private readonly accessTokens: AccessTokens,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(RefreshTokenRepository) private readonly refreshTokens: RefreshTokenRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(token: string): Promise<AuthenticatedCaller> {
    const claims = this.accessTokens.verify(token)
    const [user, familyActive] = await Promise.all([
      this.users.findById(claims.userId),
      this.refreshTokens.isFamilyActive(claims.familyId, this.clock.now()),
    ])
    if (!user || user.disabled || user.tokenVersion !== claims.tokenVersion || !familyActive) throw new InvalidToken()
    return { actor: toActor(user), familyId: claims.familyId, mustChangePassword: user.mustChangePassword }
  }
}
