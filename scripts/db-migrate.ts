// `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded SQLite
// database in DATA_DIR) without starting the server. The server does the same at every start.
import { ConfigError, loadConfig } from '../src/config.ts'
import { migrate } from '../src/shared/infra/database/migrator.ts'
import { openDatabase } from '../src/shared/infra/database/open-database.ts'

async function main(): Promise<void> {
  const config = loadConfig()
  const db = await openDatabase(config.databaseUrl, { poolSize: 2 })
  try {
    const { applied } = await migrate(db, { log: (message) => console.log(message) })
    console.log(applied.length ? `Applied ${applied.length} migration(s) to ${db.kind}: ${applied.join(', ')}` : `The ${db.kind} database is up to date.`)
  } finally {
    await db.close()
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `Migration failed: ${err instanceof Error ? err.message : err}`)
  process.exit(err instanceof ConfigError ? 78 : 1)
})
