import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { SettingsRepository } from '../settings.repository.port.ts'

/** Values are stored as JSON strings (both providers share one model API). */
@injectable()
export class PrismaSettingsRepository implements SettingsRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async getSystem(): Promise<Record<string, unknown>> {
    return toValues(await this.db.client.systemSetting.findMany())
  }

  async setSystem(values: Record<string, unknown>, updatedBy: string | null): Promise<void> {
    const { client } = this.db
    await client.$transaction(
      Object.entries(values).map(([key, value]) => {
        const data = { value: JSON.stringify(value), updatedBy }
        return client.systemSetting.upsert({ where: { key }, create: { key, ...data }, update: data })
      }),
    )
  }

  async getUser(userId: string): Promise<Record<string, unknown>> {
    return toValues(await this.db.client.userSetting.findMany({ where: { userId } }))
  }

  async setUser(userId: string, values: Record<string, unknown>): Promise<void> {
    const { client } = this.db
    await client.$transaction(
      Object.entries(values).map(([key, value]) =>
        client.userSetting.upsert({
          where: { userId_key: { userId, key } },
          create: { userId, key, value: JSON.stringify(value) },
          update: { value: JSON.stringify(value) },
        }),
      ),
    )
  }
}

/** A row whose JSON no longer parses is left out, so its default applies. */
function toValues(rows: { key: string; value: string }[]): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const row of rows) {
    try {
      values[row.key] = JSON.parse(row.value)
    } catch {
      // corrupt row: ignored on purpose
    }
  }
  return values
}
