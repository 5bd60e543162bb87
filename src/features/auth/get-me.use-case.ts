import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Unauthenticated } from '../../shared/errors.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { publicUser, type PublicUser } from '../users/user.ts'

@injectable()
export class GetMe {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async execute({ actor }: { actor: Actor }): Promise<PublicUser> {
    const user = await this.users.findById(actor.userId)
    if (!user) throw new Unauthenticated()
    return publicUser(user)
  }
}
