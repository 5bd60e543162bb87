// Authoring and checking migrations offline, for both providers, with Prisma's WASM schema engine.
//   tsx scripts/migrations.ts new <name>   writes prisma/{sqlite,postgres}/migrations/<timestamp>_<name>/
//   tsx scripts/migrations.ts check        exits 1 when the committed migrations do not give the schemas
// Add --verbose for the engine's log. PostgreSQL: scratch databases are created through
// TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres); SHADOW_DATABASE_URL, if
// set, is used (and wiped) as the shadow database. Applying migrations needs none of this (migrator.ts).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { migrationsDirOf } from '../src/shared/infra/database/migrator.ts'
import {
  authorMigration,
  diffMigrationsToSchema,
  LOCKFILE,
  lockfileContent,
  migrationsListOf,
  PROVIDERS,
  ROOT,
  schemaFileOf,
} from './lib/migration-workflow.ts'
import type { Provider } from './lib/schema-engine.ts'

const verbose = process.argv.includes('--verbose')
const engineOptions = { log: verbose ? (line: string) => console.error(line) : undefined }
const relative = (file: string) => path.relative(ROOT, file)

/** Prisma's migration folder prefix: the UTC time as YYYYMMDDHHMMSS. */
const utcStamp = (date = new Date()) => date.toISOString().replace(/\D/g, '').slice(0, 14)

function derivedSchemaIsCurrent(): boolean {
  try {
    execFileSync(process.execPath, ['scripts/sync-schema.mjs', '--check'], { cwd: ROOT, stdio: 'inherit' })
    return true
  } catch {
    return false
  }
}

async function newMigration(rawName: string | undefined): Promise<boolean> {
  const slug = (rawName ?? '').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  if (!slug) throw new Error('Usage: tsx scripts/migrations.ts new <name>   (e.g. add_user_avatar)')
  if (!derivedSchemaIsCurrent()) return false
  const name = `${utcStamp()}_${slug}`
  // Author both before writing either, so a failure leaves no half-written pair behind.
  const scripts = new Map<Provider, string | null>()
  for (const provider of PROVIDERS) {
    const input = { name, slug, schema: await schemaFileOf(provider), list: await migrationsListOf(provider) }
    scripts.set(provider, await authorMigration(provider, input, engineOptions))
  }
  if ([...scripts.values()].every((sql) => sql === null)) {
    console.log('The migrations already give the schemas: the migration would be empty, nothing written.')
    return true
  }
  for (const [provider, sql] of scripts) {
    if (sql === null) {
      console.log(`${provider}: no changes, nothing written`)
      continue
    }
    const baseDir = migrationsDirOf(provider)
    const file = path.join(baseDir, name, 'migration.sql')
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, sql)
    if (!existsSync(path.join(baseDir, LOCKFILE))) await writeFile(path.join(baseDir, LOCKFILE), lockfileContent(provider))
    console.log(`${provider}: wrote ${relative(file)}`)
  }
  console.log('Review the SQL (data-loss warnings come first), then commit both folders.')
  return true
}

async function check(): Promise<boolean> {
  let ok = derivedSchemaIsCurrent()
  for (const provider of PROVIDERS) {
    const list = await migrationsListOf(provider)
    const where = `${relative(list.baseDir)} -> prisma/${provider}/schema.prisma`
    if (list.lockfile.content === null) {
      ok = false
      console.error(`DRIFT ${provider}: no ${LOCKFILE} in ${relative(list.baseDir)} (run: npm run db:new-migration init)`)
      continue
    }
    const diff = await diffMigrationsToSchema(provider, { schema: await schemaFileOf(provider), list }, engineOptions)
    if (diff.exitCode === 0) {
      console.log(`OK ${provider}: ${list.migrationDirectories.length} migration(s) give exactly the schema (${where})`)
    } else {
      ok = false
      console.error(`DRIFT ${provider}: ${where} still needs this SQL (run: npm run db:new-migration <name>):\n${diff.stdout ?? ''}`)
    }
  }
  return ok
}

async function main(): Promise<boolean> {
  const [command, name] = process.argv.slice(2).filter((arg) => arg !== '--verbose')
  if (command === 'new') return newMigration(name)
  if (command === 'check') return check()
  throw new Error('Usage: tsx scripts/migrations.ts new <name> | check   [--verbose]')
}

main().then(
  (ok) => void (process.exitCode = ok ? 0 : 1),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  },
)
