import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'
import { hashRefreshToken } from './session-issuer.ts'

export interface LogOutInput {
  /** The family of the access token used to call logout, when there was one. */
  familyId?: string
  refreshToken?: string
}

/** Ends one login: its refresh-token family is revoked, which also stops its access tokens. */
@injectable()
export class LogOut {
  constructor(
    @inject(RefreshTokenRepository) private readonly tokens: RefreshTokenRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(input: LogOutInput): Promise<void> {
    const now = this.clock.now()
    const families = new Set<string>()
    if (input.familyId) families.add(input.familyId)
    if (input.refreshToken) {
      const record = await this.tokens.findByHash(hashRefreshToken(input.refreshToken))
      if (record) families.add(record.familyId)
    }
    for (const familyId of families) await this.tokens.revokeFamily(familyId, now)
  }
}
