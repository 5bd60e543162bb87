import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { EffectiveLimits } from './effective-limits.ts'
import type { Limits } from './limits.ts'
import { sumBuckets, usageRange, type UsageTotalsView } from './usage-report.ts'
import { UsageStats, type UsageBucket } from './usage-stats.port.ts'

export interface UsageSummary {
  from: Date
  to: Date
  totals: UsageTotalsView
  byDay: UsageBucket[]
  byModel: UsageBucket[]
  /** The limits that apply to the caller's account now (API keys may add their own). */
  limits: Limits
}

/** The caller's own usage in a range: totals, by UTC day and by model (chat and API keys alike). */
@injectable()
export class GetMyUsage {
  constructor(
    @inject(UsageStats) private readonly stats: UsageStats,
    @inject(EffectiveLimits) private readonly limits: EffectiveLimits,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, from, to }: { actor: Actor; from?: string; to?: string }): Promise<UsageSummary> {
    const range = usageRange(from, to, this.clock.now())
    const filter = { ...range, userId: actor.userId }
    const [byDay, byModel, limits] = await Promise.all([
      this.stats.totals(filter, 'day'),
      this.stats.totals(filter, 'model'),
      this.limits.forUser(actor.userId),
    ])
    return { ...range, totals: sumBuckets(byModel), byDay, byModel, limits }
  }
}
