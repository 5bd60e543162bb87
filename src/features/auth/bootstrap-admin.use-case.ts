import { randomBytes } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { IdGenerator } from '../../shared/ids.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { normalizeUsername } from '../users/user.ts'
import { AuthPolicy } from './auth-policy.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { checkNewCredentials } from './password-rules.ts'

export type BootstrapResult =
  | { outcome: 'admin-exists' }
  | { outcome: 'waiting-for-first-registration' }
  | { outcome: 'created-from-environment'; username: string }
  | { outcome: 'created-with-generated-password'; username: string; oneTimePassword: string }

/** First run: makes sure an administrator exists (from ADMIN_USERNAME/ADMIN_PASSWORD, or generated). */
@injectable()
export class BootstrapAdmin {
  constructor(
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(PasswordHasher) private readonly hasher: PasswordHasher,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuthPolicy) private readonly policy: AuthPolicy,
  ) {}

  async execute(): Promise<BootstrapResult> {
    if ((await this.users.countEnabledAdmins()) > 0) return { outcome: 'admin-exists' }
    const { adminUsername, adminPassword, firstUserIsAdmin } = this.policy
    if (!adminUsername && firstUserIsAdmin && (await this.users.count()) === 0) {
      return { outcome: 'waiting-for-first-registration' }
    }
    const username = normalizeUsername(adminUsername ?? 'admin')
    const generated = adminPassword === undefined
    const password = adminPassword ?? randomBytes(18).toString('base64url')
    checkNewCredentials(username, password)

    const existing = await this.users.findByUsername(username)
    const passwordHash = await this.hasher.hash(password)
    if (existing) {
      // Every admin was disabled or demoted outside the API (e.g. directly in the database): restore this one.
      await this.users.update(existing.id, { role: 'ADMIN', disabled: false, passwordHash, mustChangePassword: generated, revokeTokens: true })
    } else {
      await this.users.create({ id: this.ids.next(), username, passwordHash, role: 'ADMIN', mustChangePassword: generated })
    }
    return generated
      ? { outcome: 'created-with-generated-password', username, oneTimePassword: password }
      : { outcome: 'created-from-environment', username }
  }
}
