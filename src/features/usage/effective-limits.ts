import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { SystemSettingsReader } from '../settings/system-settings-reader.port.ts'
import type { LimitScope } from './limit-policy.ts'
import { mergeUserLimits, type Limits, type UserLimitsOverride } from './limits.ts'
import type { UsageRequest } from './usage-gate.port.ts'
import { UserLimitsStore } from './user-limits.store.port.ts'

/** One set of limits a request must pass, with the id its counters are kept under. */
export interface ScopeLimits {
  scope: LimitScope
  id: string
  limits: Limits
}

/** How long a user's override is trusted before it is read again (other replicas see a change within this). */
export const OVERRIDE_TTL_MS = 30_000
const MAX_CACHED_USERS = 10_000

/**
 * The limits a request is held to: the user's (their override over the system default) and, for a
 * call made with a platform API key, the key's own. Overrides are cached briefly per process; the
 * system default comes from the settings cache.
 */
@injectable()
export class EffectiveLimits {
  private readonly overrides = new Map<string, { value: UserLimitsOverride; readAt: number }>()

  constructor(
    @inject(UserLimitsStore) private readonly store: UserLimitsStore,
    @inject(SystemSettingsReader) private readonly settings: SystemSettingsReader,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async scopesFor(request: UsageRequest): Promise<ScopeLimits[]> {
    const user: ScopeLimits = { scope: 'user', id: request.actor.userId, limits: await this.forUser(request.actor.userId) }
    return request.apiKey ? [user, { scope: 'key', id: request.apiKey.id, limits: request.apiKey.limits }] : [user]
  }

  async forUser(userId: string): Promise<Limits> {
    const [override, defaults] = await Promise.all([this.override(userId), this.settings.get('defaultUserQuota')])
    return mergeUserLimits(override, defaults)
  }

  /** Drops this process's cached override, after an admin changed it here. */
  invalidate(userId: string): void {
    this.overrides.delete(userId)
  }

  private async override(userId: string): Promise<UserLimitsOverride> {
    const now = this.clock.now().getTime()
    const cached = this.overrides.get(userId)
    if (cached && now - cached.readAt < OVERRIDE_TTL_MS) return cached.value
    const value = (await this.store.get(userId)) ?? {}
    if (this.overrides.size >= MAX_CACHED_USERS) this.overrides.clear()
    this.overrides.set(userId, { value, readAt: now })
    return value
  }
}
