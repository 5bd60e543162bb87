import { inject, injectable } from 'tsyringe'
import { IdGenerator } from '../../../shared/ids.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { execute, insertSql, type SqlValue } from '../../../shared/infra/database/raw-sql.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import { costMicros } from '../price-table.ts'
import type { UsageEntry, UsageRecorder } from '../usage-recorder.port.ts'

const FLUSH_EVERY_MS = 500
const FLUSH_AT_ENTRIES = 200

const COLUMNS = ['id', 'userId', 'apiKeyId', 'modelConfigId', 'modelId', 'provider', 'source', 'inputTokens', 'outputTokens', 'cachedTokens', 'reasoningTokens', 'estimated', 'costMicros', 'latencyMs', 'ttftMs', 'status', 'createdAt'] as const
type Row = Record<(typeof COLUMNS)[number], SqlValue>

/**
 * Buffers usage entries and writes each batch with one multi-row INSERT, off the request path.
 * Raw SQL on purpose: Prisma's createMany costs about 0.4 ms of CPU per row (query building and
 * compiling), ten times this statement, and it ran for every relayed request (docs/benchmarks.md).
 */
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
      await this.insert(batch.map((entry) => this.rowOf(entry)))
    } catch (err) {
      // Usage statistics must never fail a chat; a lost batch is logged with its size.
      this.log.error({ err, entries: batch.length }, 'could not write usage records')
    }
  }

  private rowOf({ at, ...entry }: UsageEntry): Row {
    return {
      id: this.ids.next(),
      userId: entry.userId,
      apiKeyId: entry.apiKeyId ?? null,
      modelConfigId: entry.modelConfigId ?? null,
      modelId: entry.modelId,
      provider: entry.provider,
      source: entry.source,
      inputTokens: entry.inputTokens,
      outputTokens: entry.outputTokens,
      cachedTokens: entry.cachedTokens,
      reasoningTokens: entry.reasoningTokens,
      estimated: entry.estimated,
      costMicros: entry.costMicros ?? costMicros(entry.modelId, entry),
      latencyMs: entry.latencyMs,
      ttftMs: entry.ttftMs ?? null,
      status: entry.status,
      createdAt: at,
    }
  }

  /** 200 rows x 17 columns stay well under both databases' parameter limits. */
  private async insert(rows: Row[]): Promise<void> {
    await execute(this.db, insertSql('UsageRecord', COLUMNS, rows.length), rows.flatMap((row) => COLUMNS.map((column) => row[column])))
  }

  /** tsyringe calls dispose() on container.dispose() (class-bound): nothing buffered is lost on shutdown. */
  dispose(): Promise<void> {
    return this.flush()
  }
}
