import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { NotFound } from '../../shared/errors.ts'
import { UserRepository } from './user.repository.port.ts'
import { publicUser, type PublicUser } from './user.ts'

/** Admins see anyone; a user sees only themselves (others read as not found: no existence leak). */
@injectable()
export class GetUser {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async execute({ actor, userId }: { actor: Actor; userId: string }): Promise<PublicUser> {
    if (!isAdmin(actor) && actor.userId !== userId) throw new NotFound('User')
    const user = await this.users.findById(userId)
    if (!user) throw new NotFound('User')
    return publicUser(user)
  }
}
