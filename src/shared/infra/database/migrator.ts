// Applies the committed plain-SQL migrations at start-up, without Prisma's schema engine. The
// bookkeeping is Prisma's own `_prisma_migrations` table (same columns, sha256 checksums, same
// PostgreSQL advisory lock key), so `prisma migrate deploy` agrees with it on a machine with internet.
import { createHash, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { PROJECT_ROOT } from '../project-root.ts'
import type { Database, DatabaseKind } from './database.ts'

export interface Migration {
  name: string
  sql: string
  checksum: string
}

export interface MigrateOptions {
  log?: (message: string) => void
  /** Defaults to prisma/<kind>/migrations of this project, whatever the cwd. */
  migrationsDir?: string
}

export const migrationsDirOf = (kind: DatabaseKind): string => path.join(PROJECT_ROOT, 'prisma', kind, 'migrations')

export const checksumOf = (sql: string): string => createHash('sha256').update(sql).digest('hex')

/** `<dir>/<name>/migration.sql`, in Prisma's order (names start with a timestamp). */
export async function readMigrations(dir: string): Promise<Migration[]> {
  if (!existsSync(dir)) throw new Error(`No migrations directory at ${dir}`)
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b))
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql')
      if (!existsSync(file)) throw new Error(`Migration ${name} has no migration.sql (${file})`)
      const sql = await readFile(file, 'utf8')
      return { name, sql, checksum: checksumOf(sql) }
    }),
  )
}

// Exactly the DDL Prisma's schema engine uses (checked against the WASM engine).
const CREATE_TABLE: Record<DatabaseKind, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
}

/** The key `prisma migrate deploy` locks, so it and this runner exclude each other too. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369

interface HistoryRow {
  migration_name: string
  checksum: string
  finished_at: unknown
  logs: string | null
}

/** SQL run inside one locked transaction. Placeholders are written `?`. */
interface Session {
  query<T>(sql: string, ...args: unknown[]): Promise<T[]>
  execute(sql: string, ...args: unknown[]): Promise<void>
  script(sql: string): Promise<void>
}

export async function migrate(db: Database, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {})
  const migrations = await readMigrations(options.migrationsDir ?? migrationsDirOf(db.kind))
  const history = await locked(db, async (s) => {
    await s.execute(CREATE_TABLE[db.kind])
    return readHistory(s)
  })
  verifyHistory(history, migrations)
  const unknown = [...history.keys()].filter((name) => !migrations.some((m) => m.name === name))
  if (unknown.length) log(`warning: applied migrations missing on disk (older code?): ${unknown.join(', ')}`)

  const applied: string[] = []
  for (const migration of migrations.filter((m) => !history.has(m.name))) {
    // Re-read under the lock: another replica may have applied it meanwhile.
    const didApply = await locked(db, async (s) => {
      const current = await readHistory(s)
      verifyHistory(current, migrations)
      if (current.has(migration.name)) return false
      log(`applying migration ${migration.name}`)
      const startedAt = timestamp()
      // A failure is not recorded: the transaction rolls back, so the next start simply retries.
      await s.script(migration.sql).catch((error: unknown) => {
        throw new Error(`Migration ${migration.name} failed and was rolled back: ${messageOf(error)}`, { cause: error })
      })
      await s.execute(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count")
         VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
        randomUUID(), migration.checksum, timestamp(), migration.name, startedAt,
      )
      return true
    })
    if (didApply) applied.push(migration.name)
  }
  log(applied.length ? `applied ${applied.length} migration(s)` : `database schema is up to date (${migrations.length} migrations)`)
  return { applied }
}

/** Prisma's format for these columns: RFC 3339 with milliseconds and an explicit +00:00. */
const timestamp = () => new Date().toISOString().replace('Z', '+00:00')

/** Driver adapter errors carry the database's own message in `cause.originalMessage`. */
const messageOf = (error: unknown): string => {
  const cause = (error as { cause?: { originalMessage?: unknown } } | undefined)?.cause
  if (typeof cause?.originalMessage === 'string') return cause.originalMessage
  return error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' ').trim() : String(error)
}

async function readHistory(s: Session): Promise<Map<string, HistoryRow>> {
  // Rolled-back rows (`prisma migrate resolve --rolled-back`) no longer count.
  const rows = await s.query<HistoryRow>(
    `SELECT "migration_name", "checksum", "finished_at", "logs" FROM "_prisma_migrations"
     WHERE "rolled_back_at" IS NULL ORDER BY "started_at"`,
  )
  return new Map(rows.map((row) => [row.migration_name, row]))
}

function verifyHistory(history: Map<string, HistoryRow>, migrations: Migration[]): void {
  for (const row of history.values()) {
    if (row.finished_at == null) {
      throw new Error(
        `Migration ${row.migration_name} failed earlier and is recorded as unfinished in _prisma_migrations` +
          `${row.logs ? ` (${row.logs.split('\n')[0]})` : ''}. Repair the database by hand, then mark it rolled back ` +
          `(prisma migrate resolve --rolled-back ${row.migration_name}, or set rolled_back_at) and restart.`,
      )
    }
  }
  for (const migration of migrations) {
    const row = history.get(migration.name)
    if (row && !checksumMatches(row.checksum, migration.sql)) {
      throw new Error(
        `Migration ${migration.name} was edited after it was applied (checksum ${row.checksum} in the database, ` +
          `${migration.checksum} on disk). Restore the committed file and add a new migration instead.`,
      )
    }
  }
}

/** Like Prisma, accept a file whose line endings changed (a Windows checkout). */
const checksumMatches = (recorded: string, sql: string) =>
  [sql, sql.replace(/\r\n/g, '\n'), sql.replace(/\r?\n/g, '\r\n')].some((variant) => checksumOf(variant) === recorded)

function locked<T>(db: Database, work: (s: Session) => Promise<T>): Promise<T> {
  return db.kind === 'postgres' ? lockedPostgres(db, work) : lockedSqlite(db, work)
}

/** One transaction holding Prisma's advisory lock (released at commit or rollback). */
function lockedPostgres<T>(db: Database, work: (s: Session) => Promise<T>): Promise<T> {
  const numbered = (sql: string) => {
    let n = 0
    return sql.replace(/\?/g, () => `$${++n}`)
  }
  return db.client.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${PRISMA_ADVISORY_LOCK_KEY})`)
      return work({
        query: (sql, ...args) => tx.$queryRawUnsafe(numbered(sql), ...args),
        execute: async (sql, ...args) => void (await tx.$executeRawUnsafe(numbered(sql), ...args)),
        // Without parameters pg uses the simple query protocol, which runs several statements.
        script: async (sql) => void (await tx.$executeRawUnsafe(sql)),
      })
    },
    { maxWait: 60_000, timeout: 30 * 60_000 },
  )
}

/**
 * SQLite has a single connection: BEGIN IMMEDIATE takes the write lock. Foreign keys go off around
 * the transaction (a no-op inside one), as SQLite's table-redefinition procedure requires, and
 * foreign_key_check runs before commit.
 */
async function lockedSqlite<T>(db: Database, work: (s: Session) => Promise<T>): Promise<T> {
  const { client } = db
  const session: Session = {
    query: (sql, ...args) => client.$queryRawUnsafe(sql, ...args),
    execute: async (sql, ...args) => void (await client.$executeRawUnsafe(sql, ...args)),
    script: (sql) => db.executeScript(sql),
  }
  await db.executeScript('PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE;')
  try {
    const result = await work(session)
    const violations = await session.query<{ table: string }>('PRAGMA foreign_key_check')
    if (violations.length > 0) {
      throw new Error(`foreign key violations in ${[...new Set(violations.map((v) => v.table))].join(', ')}`)
    }
    await db.executeScript('COMMIT')
    return result
  } catch (error) {
    await db.executeScript('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await db.executeScript('PRAGMA foreign_keys = ON')
  }
}
