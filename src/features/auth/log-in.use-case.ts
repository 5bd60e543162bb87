import { inject, injectable } from 'tsyringe'
import { UserRepository } from '../users/user.repository.port.ts'
import { normalizeUsername } from '../users/user.ts'
import { InvalidCredentials, TooManyAttempts } from './auth.errors.ts'
import { LoginThrottle } from './login-throttle.port.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { SessionIssuer, type IssuedSession } from './session-issuer.ts'

export interface LogInInput {
  username: string
  password: string
  clientAddress: string
}

@injectable()
export class LogIn {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @inject(SessionIssuer) private readonly sessions: SessionIssuer,
  ) {}

  async execute(input: LogInInput): Promise<IssuedSession> {
    const username = normalizeUsername(input.username)
    const keys = [`user:${username}`, `ip:${input.clientAddress}`]
    const wait = await this.throttle.retryAfterSeconds(keys)
    if (wait > 0) throw new TooManyAttempts(wait)

    // Unknown users cost one bcrypt comparison too, and every failure reads the same.
    const user = await this.users.findByUsername(username)
    const valid = user ? await this.hasher.verify(input.password, user.passwordHash) : await this.hasher.verifyAgainstDummy(input.password)
    if (!user || !valid || user.disabled) {
      await this.throttle.recordFailure(keys)
      throw new InvalidCredentials()
    }
    await this.throttle.reset(keys[0]!)
    return this.sessions.issue(user)
  }
}
