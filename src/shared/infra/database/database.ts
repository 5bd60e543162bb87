import { token } from '../../di.ts'
import type { PrismaClient } from '../../../generated/sqlite/client.ts'
import type { SqlRunner } from './raw-sql.ts'

export type DatabaseKind = 'sqlite' | 'postgres'

/**
 * An open database. `client` is typed as the SQLite-generated client; on PostgreSQL it is the
 * PostgreSQL-generated client cast to it (same model API), so repositories stay within the
 * features both databases share.
 */
export interface Database {
  readonly kind: DatabaseKind
  readonly client: PrismaClient
  /** Plain SQL on the client's own connection(s), for the hot paths (raw-sql.ts). */
  readonly sql: SqlRunner
  /** Throws when the database does not answer `SELECT 1`. */
  ping(): Promise<void>
  /**
   * Runs parameterless, possibly multi-statement SQL as one script (better-sqlite3 `exec`, the pg
   * simple query protocol). On SQLite it runs on the very connection the client uses. For migrations.
   */
  executeScript(sql: string): Promise<void>
  /** Disconnects the client and ends the pool / closes the file, so the process can exit. */
  close(): Promise<void>
  /** PostgreSQL only: the connection pool right now (for metrics). */
  poolStats?(): { total: number; idle: number; waiting: number; max: number }
}
export const Database = token<Database>('Database')

export function databaseKindOf(url: string): DatabaseKind {
  if (url.startsWith('file:')) return 'sqlite'
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgres'
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '(none)'
  throw new Error(
    `Unsupported DATABASE_URL scheme ${scheme}: use file:<path> for SQLite or postgresql://... for PostgreSQL`,
  )
}
