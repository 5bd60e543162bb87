import { inject, injectable } from 'tsyringe'
import { IdGenerator } from '../../shared/ids.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { AuthPolicy } from './auth-policy.ts'
import { RegistrationClosed, TooManyRegistrations } from './auth.errors.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { checkNewCredentials } from './password-rules.ts'
import { RegistrationGate } from './registration-gate.port.ts'
import { RegistrationLimiter } from './registration-limiter.port.ts'
import { SessionIssuer, type IssuedSession } from './session-issuer.ts'

export interface RegisterUserInput {
  username: string
  password: string
  clientAddress: string
}

@injectable()
export class RegisterUser {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(RegistrationGate) private readonly gate: RegistrationGate,
    @inject(RegistrationLimiter) private readonly limiter: RegistrationLimiter,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuthPolicy) private readonly policy: AuthPolicy,
  ) {}

  async execute(input: RegisterUserInput): Promise<IssuedSession> {
    // A rejected password costs nothing from the address's allowance; everything after it does.
    const username = checkNewCredentials(input.username, input.password)
    const admission = await this.limiter.admit(input.clientAddress)
    if (!admission.allowed) throw new TooManyRegistrations(admission.retryAfterSeconds)
    // Opt-in only: on a fresh install the first person to register becomes the administrator.
    const becomesAdmin = this.policy.firstUserIsAdmin && (await this.users.count()) === 0
    if (!becomesAdmin) {
      const gate = await this.gate.check()
      if (!gate.open) throw new RegistrationClosed(gate.reason)
    }
    const user = await this.users.create({
      id: this.ids.next(),
      username,
      passwordHash: await this.hasher.hash(input.password),
      role: becomesAdmin ? 'ADMIN' : 'USER',
    })
    return this.sessions.issue(user)
  }
}
