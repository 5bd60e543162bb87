import type { Database, DatabaseKind } from './database.ts'

/**
 * Plain SQL for the statements on the hot paths (every chat reply, every relayed request). Prisma's
 * model API costs 0.3-0.5 ms of CPU per statement in query building and result mapping, about ten
 * times the statement itself (docs/benchmarks.md). Values are stored exactly as Prisma stores them,
 * so Prisma reads them back unchanged.
 */
export type SqlValue = string | number | boolean | Date | null

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

/** Runs one statement with `?` placeholders on either database; resolves to the rows it changed. */
export function execute(db: Database, sql: string, values: SqlValue[]): Promise<number> {
  return db.client.$executeRawUnsafe(placeholders(db.kind, sql), ...values.map((value) => storedValue(db.kind, value)))
}

/** `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?)` for rows of the given columns. */
export function insertSql(table: string, columns: readonly string[], rowCount: number): string {
  const row = `(${columns.map(() => '?').join(', ')})`
  return `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${Array.from({ length: rowCount }, () => row).join(', ')}`
}
