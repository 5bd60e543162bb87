import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../shared/actor.ts'
import { Forbidden } from '../shared/errors.ts'
import { IdGenerator } from '../shared/ids.ts'
import { AuditTrail } from '../features/audit/audit-trail.port.ts'
import { PasswordHasher } from '../features/auth/password-hasher.port.ts'
import { checkNewCredentials } from '../features/auth/password-rules.ts'
import { UserRepository } from '../features/users/user.repository.port.ts'
import { publicUser, type PublicUser } from '../features/users/user.ts'

export interface CreateAdministratorInput {
  actor: Actor
  username: string
  password: string
  /** A generated one-time password must be changed at first login. */
  mustChangePassword: boolean
}

/**
 * The operator creates an administrator from the command line (the HTTP API has no "create user":
 * people register, and an admin promotes them). Same rules as registration: username and password
 * checks, a bcrypt hash, UsernameTaken (409) on a duplicate; audited.
 */
@injectable()
export class CreateAdministrator {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, username, password, mustChangePassword }: CreateAdministratorInput): Promise<PublicUser> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const name = checkNewCredentials(username, password)
    const user = await this.users.create({ id: this.ids.next(), username: name, passwordHash: await this.hasher.hash(password), role: 'ADMIN', mustChangePassword })
    await this.audit.record({ actorId: actor.userId, action: 'user.created', targetType: 'user', targetId: user.id, metadata: { role: 'ADMIN', via: 'cli' } })
    return publicUser(user)
  }
}
