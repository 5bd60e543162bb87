import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { UsageBucket, UsageDimension, UsageFilter, UsageStats } from '../usage-stats.port.ts'

type Totals = Omit<UsageBucket, 'key' | 'label'>
const COLUMNS = { inputTokens: true, outputTokens: true, cachedTokens: true, costMicros: true } as const

/**
 * Model, user and key totals through Prisma groupBy (the same on both databases). Days need an
 * expression to group by, which Prisma cannot express, so they are one small SQL statement per
 * provider: SQLite stores DateTime as RFC 3339 text (`2026-01-02T10:00:00.000+00:00`), so the day
 * is its first 10 characters; PostgreSQL has `timestamp(3)` in UTC, formatted with to_char. Both
 * return one row per day, so the answer stays small however many records the range holds.
 */
@injectable()
export class PrismaUsageStats implements UsageStats {
  constructor(@inject(Database) private readonly db: Database) {}

  async totals(filter: UsageFilter, by: UsageDimension): Promise<UsageBucket[]> {
    if (by === 'day') return this.byDay(filter)
    const field = ({ model: 'modelId', user: 'userId', key: 'apiKeyId' } as const)[by]
    const where = { createdAt: { gte: filter.from, lt: filter.to }, ...(filter.userId ? { userId: filter.userId } : {}) }
    const [groups, errorGroups] = await Promise.all([
      this.db.client.usageRecord.groupBy({ by: [field], where, _count: { _all: true }, _sum: COLUMNS }),
      this.db.client.usageRecord.groupBy({ by: [field], where: { ...where, status: 'error' }, _count: { _all: true } }),
    ])
    const keyOf = (g: Record<string, unknown>) => (g[field] as string | null) ?? ''
    const errors = new Map(errorGroups.map((g) => [keyOf(g), g._count._all]))
    const labels = await this.labels(by, groups.map(keyOf))
    return groups
      .map((g) => {
        const key = keyOf(g)
        const label = labels.get(key)
        return {
          key,
          ...(label === undefined ? {} : { label }),
          requests: g._count._all,
          inputTokens: g._sum.inputTokens ?? 0,
          outputTokens: g._sum.outputTokens ?? 0,
          cachedTokens: g._sum.cachedTokens ?? 0,
          costMicros: g._sum.costMicros ?? 0,
          errors: errors.get(key) ?? 0,
        }
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }

  private async labels(by: UsageDimension, keys: string[]): Promise<Map<string, string>> {
    const ids = keys.filter(Boolean)
    if (by === 'user' && ids.length) {
      const users = await this.db.client.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true } })
      return new Map(users.map((u) => [u.id, u.username]))
    }
    if (by === 'key' && ids.length) {
      const keys = await this.db.client.apiKey.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })
      return new Map(keys.map((k) => [k.id, k.name]))
    }
    return new Map()
  }

  private async byDay({ from, to, userId }: UsageFilter): Promise<UsageBucket[]> {
    const sqlite = this.db.kind === 'sqlite'
    const p = (n: number) => (sqlite ? '?' : `$${n}`)
    // SQLite compares the stored text, so the bounds are written in the very same format.
    const bound = (d: Date) => (sqlite ? d.toISOString().replace('Z', '+00:00') : d)
    const day = sqlite ? 'substr("createdAt", 1, 10)' : `to_char("createdAt", 'YYYY-MM-DD')`
    const sql = `SELECT ${day} AS "key", COUNT(*) AS "requests",
        SUM("inputTokens") AS "inputTokens", SUM("outputTokens") AS "outputTokens",
        SUM("cachedTokens") AS "cachedTokens", SUM("costMicros") AS "costMicros",
        SUM(CASE WHEN "status" = 'error' THEN 1 ELSE 0 END) AS "errors"
      FROM "UsageRecord"
      WHERE "createdAt" >= ${p(1)} AND "createdAt" < ${p(2)}${userId ? ` AND "userId" = ${p(3)}` : ''}
      GROUP BY 1 ORDER BY 1`
    const params = [bound(from), bound(to), ...(userId ? [userId] : [])]
    const rows = await this.db.client.$queryRawUnsafe<Record<keyof Totals | 'key', unknown>[]>(sql, ...params)
    return rows.map((r) => ({
      key: String(r.key),
      requests: Number(r.requests),
      inputTokens: Number(r.inputTokens ?? 0),
      outputTokens: Number(r.outputTokens ?? 0),
      cachedTokens: Number(r.cachedTokens ?? 0),
      costMicros: Number(r.costMicros ?? 0),
      errors: Number(r.errors ?? 0),
    }))
  }
}
