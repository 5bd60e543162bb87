import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor, type Role } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Forbidden, NotFound } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { SessionRevoker } from './session-revoker.port.ts'
import { UserRepository } from './user.repository.port.ts'
import { publicUser, type PublicUser } from './user.ts'

export interface UpdateUserInput {
  actor: Actor
  userId: string
  role?: Role
  disabled?: boolean
}

/** Admin: change a user's role or disable/enable them. Disabling ends their sessions at once. */
@injectable()
export class UpdateUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(SessionRevoker) private readonly sessions: SessionRevoker,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, userId, role, disabled }: UpdateUserInput): Promise<PublicUser> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const before = await this.users.findById(userId)
    if (!before) throw new NotFound('User')
    const roleChanged = role !== undefined && role !== before.role
    const disabledChanged = disabled !== undefined && disabled !== before.disabled
    if (!roleChanged && !disabledChanged) return publicUser(before)

    const updated = await this.users.update(userId, {
      ...(roleChanged ? { role } : {}),
      ...(disabledChanged ? { disabled } : {}),
      revokeTokens: disabledChanged && disabled === true,
    })
    if (disabledChanged && disabled) await this.sessions.revokeAllForUser(userId, this.clock.now())

    const target = { targetType: 'user', targetId: userId }
    if (roleChanged) {
      await this.audit.record({ actorId: actor.userId, action: 'user.role_changed', ...target, metadata: { from: before.role, to: role } })
    }
    if (disabledChanged) {
      await this.audit.record({ actorId: actor.userId, action: disabled ? 'user.disabled' : 'user.enabled', ...target })
    }
    return publicUser(updated)
  }
}
