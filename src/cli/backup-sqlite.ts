import { chmodSync, closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { CommandFailed } from './cli-errors.ts'

/** The part of better-sqlite3 this needs (the package ships no types; it is Prisma's SQLite driver). */
interface SqliteDatabase {
  backup(destination: string): Promise<{ totalPages: number; remainingPages: number }>
  pragma(source: string, options?: { simple?: boolean }): unknown
  close(): void
}
type SqliteConstructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean; timeout?: number }) => SqliteDatabase

const fail = (message: string) => new CommandFailed(message)

/**
 * An online backup with SQLite's backup API (better-sqlite3 `.backup()`): a consistent copy of the
 * live database, WAL included, while the server keeps serving. The copy is checked and made 0600.
 */
export async function backupSqlite(config: { databaseUrl: string; dataDir: string }, destination: string, options: { force: boolean }): Promise<string[]> {
  const { databaseUrl } = config
  if (!databaseUrl.startsWith('file:')) throw fail('backup-sqlite works on the SQLite database only; for PostgreSQL use pg_dump (docs/operations.md)')
  const source = path.resolve(databaseUrl.slice('file:'.length).replace(/\?.*$/, ''))
  const target = path.resolve(destination)
  if (!existsSync(source)) throw fail(`there is no database at ${source} (check DATA_DIR / DATABASE_URL)`)
  if (target === source) throw fail('the destination is the database itself')
  if (existsSync(target) && !options.force) throw fail(`${target} already exists (use --force to overwrite it)`)
  if (!existsSync(path.dirname(target))) throw fail(`the directory ${path.dirname(target)} does not exist`)

  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as SqliteConstructor
  if (existsSync(target)) rmSync(target)
  // Created private before a page is copied: chmod after the copy left it readable by others meanwhile.
  closeSync(openSync(target, 'wx', 0o600))
  const started = Date.now()
  const db = new Sqlite(source, { fileMustExist: true, timeout: 5000 })
  try {
    const { totalPages } = await db.backup(target)
    chmodSync(target, 0o600)
    const copy = new Sqlite(target, { readonly: true, fileMustExist: true })
    try {
      const integrity = copy.pragma('integrity_check', { simple: true })
      if (integrity !== 'ok') throw new Error(`the copy failed its integrity check: ${String(integrity)}`)
    } finally {
      copy.close()
    }
    const secrets = path.join(config.dataDir, 'secrets.json')
    return [
      `Backed up ${source} to ${target}: ${totalPages} pages, ${statSync(target).size} bytes, integrity ok, in ${Date.now() - started} ms.`,
      ...(existsSync(secrets) ? [`Keep ${secrets} with it: stored provider keys cannot be read without its master key.`] : []),
    ]
  } finally {
    db.close()
  }
}
