import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import { isRecordMissing } from '../../../shared/infra/database/prisma-errors.ts'
import { parseJsonColumn, readOverride, type UserLimitsOverride } from '../limits.ts'
import type { UserLimitsStore } from '../user-limits.store.port.ts'

/** User.limits as JSON text. A stored value that no longer parses reads as "no override". */
@injectable()
export class PrismaUserLimitsStore implements UserLimitsStore {
  constructor(@inject(Database) private readonly db: Database) {}

  async get(userId: string): Promise<UserLimitsOverride | null> {
    const row = await this.db.client.user.findUnique({ where: { id: userId }, select: { limits: true } })
    return row ? readOverride(parseJsonColumn(row.limits)) : null
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
