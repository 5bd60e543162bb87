// Throw-away PostgreSQL databases: created with a unique name through an admin connection, dropped
// WITH (FORCE) afterwards. Used by the migration tooling and by the test helper.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'

export interface ScratchDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

/** The same server and credentials as `url`, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(database)}`
  return parsed.toString()
}

/** Runs one statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a pool tx). */
export async function runAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export async function createScratchDatabase(adminUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
  await runAdmin(adminUrl, `CREATE DATABASE "${name}"`)
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => runAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  }
}

/** Empties a database you own: every non-system schema goes, `public` comes back empty. */
export async function wipeDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace
       WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'`,
    )
    for (const { name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`)
    await client.query('CREATE SCHEMA IF NOT EXISTS public')
  } finally {
    await client.end()
  }
}
