import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Unauthenticated, ValidationFailed } from '../../shared/errors.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { checkNewPassword } from './password-rules.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'
import { SessionIssuer, type IssuedSession } from './session-issuer.ts'

export interface ChangePasswordInput {
  actor: Actor
  currentPassword: string
  newPassword: string
}

/** Changes the caller's password, ends every session of theirs, and returns a fresh one for this client. */
@injectable()
export class ChangePassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(RefreshTokenRepository) private readonly tokens: RefreshTokenRepository,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, currentPassword, newPassword }: ChangePasswordInput): Promise<IssuedSession> {
    const user = await this.users.findById(actor.userId)
    if (!user) throw new Unauthenticated()
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      throw new ValidationFailed('The current password is wrong', [
        { location: 'json', path: 'currentPassword', message: 'does not match' },
      ])
    }
    checkNewPassword(newPassword, user.username, 'newPassword')
    if (await this.hasher.verify(newPassword, user.passwordHash)) {
      throw new ValidationFailed('The new password must differ from the current one', [
        { location: 'json', path: 'newPassword', message: 'same as the current password' },
      ])
    }
    const updated = await this.users.update(user.id, {
      passwordHash: await this.hasher.hash(newPassword),
      mustChangePassword: false,
      revokeTokens: true,
    })
    await this.tokens.revokeAllForUser(user.id, this.clock.now())
    return this.sessions.issue(updated)
  }
}
