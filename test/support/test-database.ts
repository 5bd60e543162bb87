// Fresh, migrated databases for integration tests: one per call, removed by dispose().
import { afterAll, beforeAll, describe } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Database, DatabaseKind } from '../../src/shared/infra/database/database.ts'
import { migrate } from '../../src/shared/infra/database/migrator.ts'
import { openDatabase } from '../../src/shared/infra/database/open-database.ts'
import { createScratchDatabase, runAdmin } from '../../scripts/lib/scratch-postgres.ts'

export interface TestDatabase {
  url: string
  db: Database
  dispose(): Promise<void>
}

export const DEFAULT_TEST_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test'

/** Every kind runs in every suite: a PostgreSQL that cannot be reached fails the suite, loudly. */
export function databaseKindsUnderTest(): DatabaseKind[] {
  return ['sqlite', 'postgres']
}

/** `migrate: false` leaves the database empty, for tests of the migrator itself. */
export async function createTestDatabase(kind: DatabaseKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const target = kind === 'sqlite' ? await sqliteFile() : await postgresDatabase()
  let db: Database | undefined
  try {
    db = await openDatabase(target.url, { poolSize: 4 })
    if (options.migrate !== false) await migrate(db)
  } catch (error) {
    await db?.close()
    await target.remove()
    throw error
  }
  const opened = db
  let disposed: Promise<void> | undefined
  return {
    url: target.url,
    db: opened,
    dispose: () => (disposed ??= opened.close().finally(() => target.remove())),
  }
}

interface Target {
  url: string
  remove(): Promise<void>
}

async function sqliteFile(): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatbase-test-'))
  return { url: `file:${path.join(dir, 'test.db')}`, remove: () => rm(dir, { recursive: true, force: true }) }
}

async function postgresDatabase(): Promise<Target> {
  const adminUrl = await postgresAdminUrl()
  const scratch = await createScratchDatabase(adminUrl, 'chatbase_test')
  return { url: scratch.url, remove: scratch.drop }
}

let adminUrl: Promise<string> | undefined

/** One server per test process: a testcontainers PostgreSQL when Docker answers, else TEST_DATABASE_URL. */
function postgresAdminUrl(): Promise<string> {
  adminUrl ??= (async () => {
    const { getContainerRuntimeClient } = await import('testcontainers')
    const dockerAnswers = await getContainerRuntimeClient().then(() => true, () => false)
    if (dockerAnswers) {
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql')
      const container = await new PostgreSqlContainer('postgres:15-alpine').start()
      return container.getConnectionUri()
    }
    const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL
    try {
      await runAdmin(url, 'SELECT 1')
    } catch (error) {
      const { hostname, port, pathname } = new URL(url)
      throw new Error(
        `PostgreSQL tests need Docker or TEST_DATABASE_URL: no Docker engine answers, and ${hostname}:${port || 5432}${pathname} ` +
          `(TEST_DATABASE_URL, default ${DEFAULT_TEST_DATABASE_URL}) refused: ${error instanceof Error ? error.message : error}. ` +
          'Start PostgreSQL (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or run .ci/run.',
        { cause: error },
      )
    }
    return url
  })()
  return adminUrl
}

/**
 * Declares `body` once per database kind, each inside its own describe block with a fresh migrated
 * database that lives for the block. `db()` returns it (only valid inside tests and hooks).
 */
export function onEachDatabase(body: (db: () => Database, kind: DatabaseKind) => void): void {
  for (const kind of databaseKindsUnderTest()) {
    describe(kind, () => {
      let database: TestDatabase | undefined
      beforeAll(async () => {
        database = await createTestDatabase(kind)
      })
      afterAll(() => database?.dispose())
      body(() => {
        if (!database) throw new Error(`the ${kind} test database is not open yet`)
        return database.db
      }, kind)
    })
  }
}
