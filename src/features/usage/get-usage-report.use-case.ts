import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Forbidden } from '../../shared/errors.ts'
import { sumBuckets, usageRange, type UsageTotalsView } from './usage-report.ts'
import { UsageStats, type UsageBucket, type UsageDimension } from './usage-stats.port.ts'

export interface UsageReportInput {
  actor: Actor
  from?: string
  to?: string
  groupBy: UsageDimension
  /** Only this user's usage. */
  userId?: string
}

export interface UsageReport {
  from: Date
  to: Date
  groupBy: UsageDimension
  totals: UsageTotalsView
  items: UsageBucket[]
}

/** Admin: everyone's usage grouped by user, model, API key or UTC day. */
@injectable()
export class GetUsageReport {
  constructor(
    @inject(UsageStats) private readonly stats: UsageStats,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, from, to, groupBy, userId }: UsageReportInput): Promise<UsageReport> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const range = usageRange(from, to, this.clock.now())
    const items = await this.stats.totals({ ...range, userId }, groupBy)
    return { ...range, groupBy, totals: sumBuckets(items), items }
  }
}
