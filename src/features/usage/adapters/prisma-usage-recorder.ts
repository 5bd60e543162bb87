import { inject, injectable } from 'tsyringe'
import { IdGenerator } from '../../../shared/ids.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import { costMicros } from '../price-table.ts'
import type { UsageEntry, UsageRecorder } from '../usage-recorder.port.ts'

const FLUSH_EVERY_MS = 500
const FLUSH_AT_ENTRIES = 200

/** Buffers usage entries and writes them with one createMany per batch, off the request path. */
@injectable()
export class PrismaUsageRecorder implements UsageRecorder {
  private buffer: UsageEntry[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    @inject(Database) private readonly db: Database,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Log) private readonly log: Logger,
  ) {}

  record(entry: UsageEntry): void {
    this.buffer.push(entry)
    if (this.buffer.length >= FLUSH_AT_ENTRIES) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref()
  }

  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.buffer
    this.buffer = []
    this.writing = this.writing.then(() => (batch.length ? this.write(batch) : undefined))
    return this.writing
  }

  private async write(batch: UsageEntry[]): Promise<void> {
    try {
      await this.db.client.usageRecord.createMany({
        data: batch.map(({ at, ...entry }) => ({
          id: this.ids.next(),
          ...entry,
          costMicros: entry.costMicros ?? costMicros(entry.modelId, entry),
          createdAt: at,
        })),
      })
    } catch (err) {
      // Usage statistics must never fail a chat; a lost batch is logged with its size.
      this.log.error({ err, entries: batch.length }, 'could not write usage records')
    }
  }

  /** tsyringe calls dispose() on container.dispose() (class-bound): nothing buffered is lost on shutdown. */
  dispose(): Promise<void> {
    return this.flush()
  }
}
