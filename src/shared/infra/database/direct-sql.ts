import pg from 'pg'
import { placeholders, storedValue, type SqlRow, type SqlRunner, type SqlValue } from './raw-sql.ts'

/** The part of a better-sqlite3 statement and database used here (the package ships no types). */
interface SqliteStatement {
  readonly reader: boolean
  all(...values: unknown[]): SqlRow[]
  run(...values: unknown[]): { changes: number }
  safeIntegers(toggle: boolean): SqliteStatement
}
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement
}

/** Distinct statements kept prepared; the hot paths use a few dozen (multi-row INSERTs one per size). */
const STATEMENT_CACHE_SIZE = 256

/**
 * Statements on the very better-sqlite3 connection the Prisma client uses, prepared once and kept:
 * the Prisma adapter prepares every statement again on every call (docs/benchmarks.md). `connection`
 * is asked each time, so a reconnected client gets a fresh cache.
 */
export function sqliteRunner(connection: () => SqliteConnection): SqlRunner {
  let cachedFor: SqliteConnection | undefined
  const statements = new Map<string, SqliteStatement>()
  const prepared = (sql: string): SqliteStatement => {
    const current = connection()
    if (current !== cachedFor) {
      statements.clear()
      cachedFor = current
    }
    let statement = statements.get(sql)
    if (!statement) {
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!)
      // Prisma opens the connection with safe integers (BigInt); our INTEGER columns fit a number.
      statement = current.prepare(sql).safeIntegers(false)
      statements.set(sql, statement)
    }
    return statement
  }
  const bound = (values: SqlValue[]) => values.map((value) => storedValue('sqlite', value))
  return {
    query: async (sql, values) => prepared(sql).all(...bound(values)),
    run: async (sql, values) => prepared(sql).run(...bound(values)).changes,
  }
}

// TIMESTAMP(3) (without time zone) holds UTC, as Prisma writes it; pg's default parser reads local time.
const TIMESTAMP_OID = 1114
const utcTimestamp = (text: string): Date => new Date(`${text.replace(' ', 'T')}Z`)
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? utcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
}

// pg would send a Date in local time with an offset, which TIMESTAMP (without time zone) ignores.
const utcText = (value: SqlValue) => (value instanceof Date ? value.toISOString() : value)

/** Statements on the pool the Prisma client uses, without Prisma's query building and mapping. */
export function postgresRunner(pool: pg.Pool): SqlRunner {
  const config = (sql: string, values: SqlValue[]) => ({ text: placeholders('postgres', sql), values: values.map(utcText), types })
  return {
    query: async (sql, values) => (await pool.query<SqlRow>(config(sql, values))).rows,
    run: async (sql, values) => (await pool.query(config(sql, values))).rowCount ?? 0,
  }
}
