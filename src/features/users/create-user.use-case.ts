import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden } from '../../shared/errors.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { PasswordHasher } from '../auth/password-hasher.port.ts'
import { checkNewCredentials } from '../auth/password-rules.ts'
import { UserRepository } from './user.repository.port.ts'
import { publicUser, type PublicUser, type Role } from './user.ts'

export interface CreateUserInput {
  actor: Actor
  username: string
  password: string
  role?: Role
  /** The user picks their own password at first login (default true: the admin chose this one). */
  mustChangePassword?: boolean
}

/** An administrator adds an account (registration open or not). */
@injectable()
export class CreateUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(IdGenerator) private readonly ids: IdGenerator,
  ) {}

  async execute({ actor, username, password, role = 'USER', mustChangePassword = true }: CreateUserInput): Promise<PublicUser> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const name = checkNewCredentials(username, password)
    const user = await this.users.create({ id: this.ids.next(), username: name, passwordHash: await this.hasher.hash(password), role, mustChangePassword })
    await this.audit.record({ actorId: actor.userId, action: 'user.created', targetType: 'user', targetId: user.id, metadata: { role } })
    return publicUser(user)
  }
}
