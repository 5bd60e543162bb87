import type { PrismaClient } from '../../../generated/sqlite/client.ts'
import type { Database, DatabaseKind } from './database.ts'

/**
 * Plain SQL for the statements on the hot paths (every chat send and reply, every list, every
 * relayed request). Prisma's model API costs 0.3-0.5 ms of CPU per statement in query building and
 * result mapping, about ten times the statement itself, and its SQLite adapter prepares every
 * statement again on every call (docs/benchmarks.md). These statements go straight to the driver
 * Prisma uses (direct-sql.ts). Values are stored exactly as Prisma stores them, so Prisma reads
 * them back unchanged.
 */
export type SqlValue = string | number | boolean | Date | null

/** A row as the driver returns it: on SQLite, DateTime columns are ISO text and Boolean ones 0/1. */
export type SqlRow = Record<string, unknown>

/** Statements with `?` placeholders, on either database. */
export interface SqlRunner {
  query(sql: string, values: SqlValue[]): Promise<SqlRow[]>
  /** Resolves to the number of rows changed. */
  run(sql: string, values: SqlValue[]): Promise<number>
}

/** On SQLite, Prisma stores DateTime as ISO text with +00:00 and Boolean as 0/1. */
export function storedValue(kind: DatabaseKind, value: SqlValue): SqlValue {
  if (kind !== 'sqlite') return value
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00')
  return typeof value === 'boolean' ? Number(value) : value
}

/** Numbers the `?` placeholders of a statement for PostgreSQL (`$1, $2, ...`). */
export function placeholders(kind: DatabaseKind, sql: string): string {
  if (kind === 'sqlite') return sql
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** The same statements through a Prisma client: inside a unit of work, on its transaction. */
export function prismaRunner(kind: DatabaseKind, client: PrismaClient): SqlRunner {
  const args = (values: SqlValue[]) => values.map((value) => storedValue(kind, value))
  return {
    query: (sql, values) => client.$queryRawUnsafe<SqlRow[]>(placeholders(kind, sql), ...args(values)),
    run: (sql, values) => client.$executeRawUnsafe(placeholders(kind, sql), ...args(values)),
  }
}

/** Runs one statement with `?` placeholders on either database; resolves to the rows it changed. */
export function execute(db: Database, sql: string, values: SqlValue[]): Promise<number> {
  return db.sql.run(sql, values)
}

/** Runs one query with `?` placeholders on either database. */
export function query(db: Database, sql: string, values: SqlValue[]): Promise<SqlRow[]> {
  return db.sql.query(sql, values)
}

/** A DateTime column of a row from either driver. */
export const rowDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string))

/** A Boolean column of a row from either driver (SQLite: 0/1). */
export const rowBoolean = (value: unknown): boolean => value === true || value === 1

/** `"a", "b"` for a SELECT or INSERT column list. */
export const columnList = (columns: readonly string[]): string => columns.map((c) => `"${c}"`).join(', ')

/** `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?)` for rows of the given columns. */
export function insertSql(table: string, columns: readonly string[], rowCount: number): string {
  const row = `(${columns.map(() => '?').join(', ')})`
  return `INSERT INTO "${table}" (${columnList(columns)}) VALUES ${Array.from({ length: rowCount }, () => row).join(', ')}`
}
