import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils'
import { PrismaClient } from '../../../generated/sqlite/client.ts'
import { PrismaClient as PostgresPrismaClient } from '../../../generated/postgres/client.ts'
import { databaseUnavailableReason } from './connection-errors.ts'
import { databaseKindOf, type Database, type DatabaseKind } from './database.ts'
import { activeTransaction } from './transaction-scope.ts'
import { prismaRunner, type SqlRunner } from './raw-sql.ts'
import { postgresRunner, sqliteRunner, type SqliteConnection } from './direct-sql.ts'

export interface OpenDatabaseOptions {
  /** PostgreSQL pool size (default 10). Ignored for SQLite, which uses one connection. */
  poolSize?: number
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  return databaseKindOf(url) === 'sqlite' ? openSqlite(url) : openPostgres(url, options.poolSize ?? 10)
}

/** `file:` paths are relative to the process cwd, as in Prisma; a `?query` suffix is ignored. */
function sqliteFilePath(url: string): string {
  return path.resolve(url.slice('file:'.length).replace(/\?.*$/, ''))
}

const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;'

/** Configures every connection the Prisma client opens, and remembers the current one. */
class ConfiguredSqlite extends PrismaBetterSqlite3 {
  connection: SqlDriverAdapter | undefined

  override async connect(): Promise<SqlDriverAdapter> {
    const connection = await super.connect()
    await connection.executeScript(SQLITE_PRAGMAS)
    this.connection = connection
    return connection
  }
}

/**
 * The database holds password hashes, sealed provider keys and conversations: only the server's
 * user may read it. A new directory is made 0700 and the database file is created 0600 before
 * SQLite opens it, so its -wal and -shm files get 0600 too; files an older release left 0644 are
 * tightened on every open.
 */
export function restrictSqliteFiles(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  closeSync(openSync(file, 'a', 0o600))
  tightenModes(file)
}

function tightenModes(file: string): void {
  for (const candidate of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      if ((statSync(candidate).mode & 0o077) !== 0) chmodSync(candidate, 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }
}

async function openSqlite(url: string): Promise<Database> {
  const file = sqliteFilePath(url)
  restrictSqliteFiles(file)
  const adapter = new ConfiguredSqlite({ url: file, timeout: 5000 })
  const client = new PrismaClient({ adapter })
  await client.$connect()
  // WAL mode made the -wal and -shm files now (SQLite gives them the database file's mode).
  tightenModes(file)
  // The adapter keeps its better-sqlite3 handle in `client` (dist/index.mjs, BetterSQLite3Queryable).
  const connection = () => {
    if (!adapter.connection) throw new Error('The SQLite database is not connected')
    return (adapter.connection as unknown as { client: SqliteConnection }).client
  }
  return followingUnitsOfWork('sqlite', client, sqliteRunner(connection), {
    ping: async () => void (await client.$queryRawUnsafe('SELECT 1')),
    async executeScript(sql) {
      if (!adapter.connection) await client.$connect()
      await adapter.connection!.executeScript(sql)
    },
    close: once(() => client.$disconnect()),
  })
}

const relabelCharAsText = (result: pg.QueryResult | pg.QueryResult[]) => {
  for (const { fields } of Array.isArray(result) ? result : [result]) {
    for (const field of fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25
  }
  return result
}

/** adapter-pg cannot deserialize OID 18 (`"char"`, used in pg_catalog): hand it over as text. */
class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config)
    // A connection the server ends while it is checked out but between queries (a restart, DROP
    // DATABASE ... WITH FORCE) emits 'error' with no query to fail: the next query on it fails
    // instead, and the pool discards it. Without a listener the error would end the process.
    this.on('error', () => {})
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- forwards pg's overloaded signature
  override query(...args: any[]): any {
    const callback = args.at(-1)
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: Error | null, result: pg.QueryResult) =>
        callback(error, result && relabelCharAsText(result))
      return super.query(...(args as [string]))
    }
    const returned = super.query(...(args as [string])) as unknown
    return returned instanceof Promise ? returned.then(relabelCharAsText) : returned
  }
}

/** A pg.Pool whose connections relabel `"char"` columns (OID 18) as text (environment.md, bug 4). */
export class PgPool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super({ ...config, Client: CharAsTextClient as unknown as pg.PoolConfig['Client'] })
  }
}

// pg-pool applies it to waiting for a free connection too; 10 s is also Prisma's own pool timeout.
const CONNECT_TIMEOUT_MS = 10_000

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // A bounded connect: an unreachable server fails requests (503) instead of hanging them.
  const pool = new PgPool({ connectionString: url, max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  // An idle connection the server closed (a restart, a failover, pg_terminate_backend) is dropped by
  // the pool and the next query opens a new one; without a listener its error would end the process.
  pool.on('error', () => {})
  const client = new PostgresPrismaClient({ adapter: new PrismaPg(pool) }) as unknown as PrismaClient
  await client.$connect()
  return followingUnitsOfWork('postgres', client, postgresRunner(pool), {
    ping: () => pingWithReason(client),
    // No parameters, so pg uses the simple query protocol, which accepts several statements.
    executeScript: async (sql) => void (await pool.query(sql)),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    close: once(async () => {
      await client.$disconnect()
      await pool.end()
    }),
  })
}

/** Readiness wants a clear reason ("unreachable"), not Prisma's multi-line message. */
async function pingWithReason(client: PrismaClient): Promise<void> {
  try {
    await client.$queryRawUnsafe('SELECT 1')
  } catch (err) {
    const reason = databaseUnavailableReason(err)
    throw reason ? new Error(`PostgreSQL ${reason}`, { cause: err }) : err
  }
}

/**
 * `client` and `sql` of a database, which inside a unit of work (prisma-unit-of-work.ts) are its
 * transaction's, so repositories join it without knowing. Getters, read at every call.
 */
function followingUnitsOfWork(kind: DatabaseKind, root: PrismaClient, direct: SqlRunner, rest: Omit<Database, 'kind' | 'client' | 'sql'>): Database {
  return Object.defineProperties({ kind, ...rest } as Database, {
    client: { enumerable: true, get: () => activeTransaction(root) ?? root },
    sql: {
      enumerable: true,
      get: () => {
        const tx = activeTransaction(root)
        return tx ? prismaRunner(kind, tx) : direct
      },
    },
  })
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined
  return () => (done ??= fn())
}
