import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Forbidden, NotFound } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { PasswordHasher } from '../auth/password-hasher.port.ts'
import { checkNewPassword } from '../auth/password-rules.ts'
import { SessionRevoker } from './session-revoker.port.ts'
import { UserRepository } from './user.repository.port.ts'
import { publicUser, type PublicUser } from './user.ts'

export interface ResetUserPasswordInput {
  actor: Actor
  userId: string
  newPassword: string
  /** Make the user choose a new password at next login (default true). */
  mustChangePassword?: boolean
}

@injectable()
export class ResetUserPassword {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(SessionRevoker) private readonly sessions: SessionRevoker,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, userId, newPassword, mustChangePassword = true }: ResetUserPasswordInput): Promise<PublicUser> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const user = await this.users.findById(userId)
    if (!user) throw new NotFound('User')
    checkNewPassword(newPassword, user.username, 'newPassword')
    const updated = await this.users.update(userId, {
      passwordHash: await this.hasher.hash(newPassword),
      mustChangePassword,
      revokeTokens: true,
    })
    await this.sessions.revokeAllForUser(userId, this.clock.now())
    await this.audit.record({ actorId: actor.userId, action: 'user.password_reset', targetType: 'user', targetId: userId })
    return publicUser(updated)
  }
}
