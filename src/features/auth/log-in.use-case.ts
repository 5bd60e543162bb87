import { inject, injectable } from 'tsyringe'
import { UserRepository } from '../users/user.repository.port.ts'
import { normalizeUsername } from '../users/user.ts'
import { InvalidCredentials, TooManyAttempts } from './auth.errors.ts'
import { loginThrottleKeys } from './login-throttle-policy.ts'
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
    const { pair, others } = loginThrottleKeys(username, input.clientAddress)
    const keys = [pair, ...others]
    // Counted BEFORE the password check, atomically: parallel guesses cannot overtake the count.
    const reservation = await this.throttle.reserve(keys)
    if (!reservation.granted) throw new TooManyAttempts(reservation.retryAfterSeconds)

    const verdict = await this.check(username, input.password).catch(async (err: unknown) => {
      // Not a wrong guess (the database, or hashing shed with 503): the attempt gives its slot back.
      await this.throttle.release(keys).catch(() => undefined)
      throw err
    })
    if (!verdict.ok) throw new InvalidCredentials() // the reserved attempt stays counted as a failure
    await Promise.all([this.throttle.reset([pair]), this.throttle.release(others)])
    return this.sessions.issue(verdict.user)
  }

  /** Unknown users cost one bcrypt comparison too, and every failure reads the same. */
  private async check(username: string, password: string) {
    const user = await this.users.findByUsername(username)
    const valid = user ? await this.hasher.verify(password, user.passwordHash) : await this.hasher.verifyAgainstDummy(password)
    return user && valid && !user.disabled ? { ok: true as const, user } : { ok: false as const }
  }
}
