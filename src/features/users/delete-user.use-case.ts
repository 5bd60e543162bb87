import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden, NotFound } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { ReplyControl } from '../chat/reply-control.port.ts'
import { UserRepository } from './user.repository.port.ts'

/** Admin: deletes a user with everything they own (sessions, messages, model configs, keys); their running replies stop. */
@injectable()
export class DeleteUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(ReplyControl) private readonly replies: ReplyControl,
  ) {}

  async execute({ actor, userId }: { actor: Actor; userId: string }): Promise<void> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const user = await this.users.findById(userId)
    if (!user) throw new NotFound('User')
    // Their replies still streaming stop (and their upstream calls with them) before the rows go.
    await this.replies.stopAll({ ownerId: userId }, 'deleted')
    await this.users.delete(userId)
    await this.audit.record({
      actorId: actor.userId,
      action: 'user.deleted',
      targetType: 'user',
      targetId: userId,
      metadata: { username: user.username },
    })
  }
}
