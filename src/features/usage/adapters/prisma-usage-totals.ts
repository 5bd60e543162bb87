import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { UsageOwner, UsageTotals } from '../usage-totals.port.ts'

/** One aggregate over the (userId|apiKeyId, createdAt) index. */
@injectable()
export class PrismaUsageTotals implements UsageTotals {
  constructor(@inject(Database) private readonly db: Database) {}

  async sum(owner: UsageOwner, from: Date, to: Date): Promise<{ tokens: number; costMicros: number }> {
    const result = await this.db.client.usageRecord.aggregate({
      where: { ...owner, createdAt: { gte: from, lt: to } },
      _sum: { inputTokens: true, outputTokens: true, costMicros: true },
    })
    const { inputTokens, outputTokens, costMicros } = result._sum
    return { tokens: (inputTokens ?? 0) + (outputTokens ?? 0), costMicros: costMicros ?? 0 }
  }
}
