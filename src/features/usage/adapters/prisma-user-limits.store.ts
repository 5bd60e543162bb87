import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import { isRecordMissing } from '../../../shared/infra/database/prisma-errors.ts'
import { LIMIT_NAMES, type UserLimitsOverride } from '../limits.ts'
import type { UserLimitsStore } from '../user-limits.store.port.ts'

/** User.limits as JSON text. A stored value that no longer parses reads as "no override". */
@injectable()
export class PrismaUserLimitsStore implements UserLimitsStore {
  constructor(@inject(Database) private readonly db: Database) {}

  async get(userId: string): Promise<UserLimitsOverride | null> {
    const row = await this.db.client.user.findUnique({ where: { id: userId }, select: { limits: true } })
    return row ? parseOverride(row.limits) : null
  }

  async set(userId: string, override: UserLimitsOverride): Promise<boolean> {
    try {
      await this.db.client.user.update({ where: { id: userId }, data: { limits: JSON.stringify(override) } })
      return true
    } catch (err) {
      if (isRecordMissing(err)) return false
      throw err
    }
  }
}

export function parseOverride(json: string): UserLimitsOverride {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return {}
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {}
  const override: UserLimitsOverride = {}
  for (const name of LIMIT_NAMES) {
    const v = (value as Record<string, unknown>)[name]
    if (v === null || (typeof v === 'number' && Number.isInteger(v) && v > 0)) override[name] = v
  }
  return override
}
