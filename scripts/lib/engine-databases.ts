// Scratch databases for the schema engine. The engine may reset whatever it is given, so it only
// ever sees databases made for this run: never DATABASE_URL, never the admin database.
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaPg } from '@prisma/adapter-pg'
import { PgPool } from '../../src/shared/infra/database/open-database.ts'
import type { AdapterSources, Provider } from './schema-engine.ts'
import { createScratchDatabase, DEFAULT_ADMIN_URL, wipeDatabase, type ScratchDatabase } from './scratch-postgres.ts'

export interface EngineDatabases {
  sources: AdapterSources
  dispose(): Promise<void>
}

export function scratchEngineDatabases(provider: Provider, env = process.env): Promise<EngineDatabases> {
  return provider === 'sqlite' ? scratchSqlite() : scratchPostgres(env)
}

/** A temp file as the main database and a fresh in-memory one per shadow (bug 6: no engine reset). */
async function scratchSqlite(): Promise<EngineDatabases> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatbase-migrations-'))
  const main = new PrismaBetterSqlite3({ url: path.join(dir, 'main.db') })
  const shadow = new PrismaBetterSqlite3({ url: ':memory:' })
  return {
    sources: { provider: 'sqlite', main: () => main.connect(), shadow: () => shadow.connect() },
    dispose: () => rm(dir, { recursive: true, force: true }),
  }
}

const hostOf = (url: string) => {
  const { hostname, port } = new URL(url)
  return `${hostname}:${port || 5432}`
}

const sameDatabase = (a: string, b: string) => {
  const [x, y] = [new URL(a), new URL(b)]
  return x.host === y.host && x.pathname === y.pathname
}

/**
 * A created main database, and SHADOW_DATABASE_URL (wiped before each use) or a second created one
 * as the shadow (bug 5: PrismaPg's own shadow handling would reset the main database).
 */
async function scratchPostgres(env: NodeJS.ProcessEnv): Promise<EngineDatabases> {
  const adminUrl = env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL
  const shadowUrl = env.SHADOW_DATABASE_URL
  if (shadowUrl && env.DATABASE_URL && sameDatabase(shadowUrl, env.DATABASE_URL)) {
    throw new Error('SHADOW_DATABASE_URL points at DATABASE_URL: the shadow database is wiped, use a scratch one')
  }
  const created: ScratchDatabase[] = []
  const dispose = async () => {
    await Promise.allSettled([...created.map((db) => db.drop()), ...(shadowUrl ? [wipeDatabase(shadowUrl)] : [])])
  }
  try {
    created.push(await createScratchDatabase(adminUrl, 'chatbase_migrate_main'))
    if (!shadowUrl) created.push(await createScratchDatabase(adminUrl, 'chatbase_migrate_shadow'))
  } catch (error) {
    await dispose()
    throw new Error(
      `Cannot create a scratch PostgreSQL database on ${hostOf(adminUrl)} (admin connection from TEST_DATABASE_URL, ` +
        `default ${DEFAULT_ADMIN_URL}): ${error instanceof Error ? error.message : String(error)}. ` +
        'Start PostgreSQL, or point TEST_DATABASE_URL at a server where you may CREATE DATABASE.',
      { cause: error },
    )
  }
  const connect = (url: string) =>
    new PrismaPg(new PgPool({ connectionString: url, max: 2 }), { disposeExternalPool: true }).connect()
  const mainUrl = created[0]!.url
  const shadow = shadowUrl ?? created[1]!.url
  return {
    sources: {
      provider: 'postgres',
      main: () => connect(mainUrl),
      shadow: async () => {
        await wipeDatabase(shadow)
        return connect(shadow)
      },
    },
    dispose,
  }
}
