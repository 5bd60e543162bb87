import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden, NotFound } from '../../shared/errors.ts'
import { EffectiveLimits } from './effective-limits.ts'
import type { Limits, UserLimitsOverride } from './limits.ts'
import { UserLimitsStore } from './user-limits.store.port.ts'

export interface UserLimitsView {
  userId: string
  /** The user's own values: a number overrides the default, null lifts it, absent keeps it. */
  limits: UserLimitsOverride
  /** What applies now: the override over the system's defaultUserQuota. */
  effective: Limits
}

/** Admin: a user's overrides and what applies to them. */
@injectable()
export class GetUserLimits {
  constructor(
    @inject(UserLimitsStore) private readonly store: UserLimitsStore,
    @inject(EffectiveLimits) private readonly limits: EffectiveLimits,
  ) {}

  async execute({ actor, userId }: { actor: Actor; userId: string }): Promise<UserLimitsView> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const limits = await this.store.get(userId)
    if (!limits) throw new NotFound('User')
    return { userId, limits, effective: await this.limits.forUser(userId) }
  }
}

/**
 * Admin: replaces a user's limit overrides. This process applies them at once; other replicas
 * within EffectiveLimits' cache time (30 s).
 */
@injectable()
export class SetUserLimits {
  constructor(
    @inject(UserLimitsStore) private readonly store: UserLimitsStore,
    @inject(EffectiveLimits) private readonly limits: EffectiveLimits,
  ) {}

  async execute({ actor, userId, limits }: { actor: Actor; userId: string; limits: UserLimitsOverride }): Promise<UserLimitsView> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    if (!(await this.store.set(userId, limits))) throw new NotFound('User')
    this.limits.invalidate(userId)
    return { userId, limits, effective: await this.limits.forUser(userId) }
  }
}
