import { inject, injectable } from 'tsyringe'
import { Log, type Logger } from '../logger.ts'
import { Database } from './database/database.ts'
import { InProcessCacheInvalidation } from './in-process-cache-invalidation.ts'

/** How often a single SQLite instance looks for writes by another process. */
export const EXTERNAL_WRITE_POLL_MS = 1_000

/**
 * One process on SQLite, and the admin CLI (another process) may write to the same file: SQLite's
 * `PRAGMA data_version` changes exactly when another connection committed, so once a second this
 * asks it, and when it moved every listener drops everything. The app's own writes do not move it.
 */
@injectable()
export class SqliteCacheInvalidation extends InProcessCacheInvalidation {
  private version: unknown
  private readonly timer: NodeJS.Timeout

  constructor(
    @inject(Database) private readonly db: Database,
    @inject(Log) private readonly log: Logger,
  ) {
    super()
    this.timer = setInterval(() => void this.check(), EXTERNAL_WRITE_POLL_MS).unref()
  }

  /** Called by the container's dispose(). */
  dispose(): void {
    clearInterval(this.timer)
  }

  /** Compares the data version with the last one seen (exposed for tests). */
  async check(): Promise<void> {
    try {
      const [row] = await this.db.client.$queryRawUnsafe<{ data_version: unknown }[]>('PRAGMA data_version')
      const version = String(row?.data_version)
      if (this.version !== undefined && version !== this.version) this.deliver(null, null)
      this.version = version
    } catch (err) {
      this.log.debug({ err }, 'could not read the SQLite data version')
    }
  }
}
