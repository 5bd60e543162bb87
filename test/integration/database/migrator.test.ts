import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, migrationsDirOf } from '../../../src/shared/infra/database/migrator.ts'
import { openDatabase } from '../../../src/shared/infra/database/open-database.ts'
import { createTestDatabase, databaseKindsUnderTest, type TestDatabase } from '../../support/test-database.ts'

interface HistoryRow {
  migration_name: string
  checksum: string
  finished_at: Date | null
  rolled_back_at: Date | null
  applied_steps_count: number | bigint
}

async function committedMigrations(kind: 'sqlite' | 'postgres') {
  const dir = migrationsDirOf(kind)
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()
  const sha256 = async (name: string) =>
    createHash('sha256').update(await readFile(path.join(dir, name, 'migration.sql'))).digest('hex')
  return Promise.all(names.map(async (name) => ({ name, checksum: await sha256(name) })))
}

describe.each(databaseKindsUnderTest())('migrator and database on %s', (kind) => {
  let fresh: TestDatabase
  let tmp: string

  beforeAll(async () => {
    fresh = await createTestDatabase(kind, { migrate: false })
    tmp = await mkdtemp(path.join(os.tmpdir(), 'chatbase-migrator-test-'))
  })
  afterAll(async () => {
    await fresh?.dispose()
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  const history = () =>
    fresh.db.client.$queryRawUnsafe<HistoryRow[]>(
      'SELECT "migration_name", "checksum", "finished_at", "rolled_back_at", "applied_steps_count" FROM "_prisma_migrations" ORDER BY "migration_name"',
    )

  it('applies every committed migration to a fresh database, then nothing on a second run', async () => {
    const committed = await committedMigrations(kind)
    expect(committed.length).toBeGreaterThan(0)
    const log: string[] = []
    expect(await migrate(fresh.db, { log: (m) => log.push(m) })).toEqual({ applied: committed.map((m) => m.name) })
    expect(log).toContain(`applying migration ${committed[0]!.name}`)
    expect(await migrate(fresh.db)).toEqual({ applied: [] })
  })

  it('records them like Prisma: sha256 of the file, finished, one step', async () => {
    const rows = await history()
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual((await committedMigrations(kind)).map((m) => [m.name, m.checksum]))
    for (const row of rows) {
      expect(row.finished_at).toBeInstanceOf(Date)
      expect(row.rolled_back_at).toBeNull()
      expect(Number(row.applied_steps_count)).toBe(1)
    }
  })

  it('refuses to run when an applied migration was edited', async () => {
    const [first] = await history()
    await fresh.db.client.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "checksum" = 'tampered' WHERE "migration_name" = '${first!.migration_name}'`)
    try {
      await expect(migrate(fresh.db)).rejects.toThrow(/was edited after it was applied/)
    } finally {
      await fresh.db.client.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "checksum" = '${first!.checksum}' WHERE "migration_name" = '${first!.migration_name}'`)
    }
  })

  it('refuses to run after a failed migration until it is marked rolled back', async () => {
    await fresh.db.client.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "applied_steps_count") VALUES ('failed-1', 'x', '20000101000000_gone', 'boom', 0)`,
    )
    await expect(migrate(fresh.db)).rejects.toThrow(/20000101000000_gone failed earlier/)
    await fresh.db.client.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET "rolled_back_at" = CURRENT_TIMESTAMP WHERE "id" = 'failed-1'`)
    expect(await migrate(fresh.db)).toEqual({ applied: [] })
  })

  it('rolls a failing migration back completely and records nothing', async () => {
    const dir = path.join(tmp, kind)
    await cp(migrationsDirOf(kind), dir, { recursive: true })
    await mkdir(path.join(dir, '29991231000000_broken'))
    await writeFile(path.join(dir, '29991231000000_broken', 'migration.sql'), 'CREATE TABLE "Broken" ("id" TEXT);\nSELECT * FROM "DoesNotExist";\n')
    await expect(migrate(fresh.db, { migrationsDir: dir })).rejects.toThrow(/Migration 29991231000000_broken failed and was rolled back/)
    expect((await history()).map((r) => r.migration_name)).not.toContain('29991231000000_broken')
    await expect(fresh.db.client.$queryRawUnsafe('SELECT * FROM "Broken"')).rejects.toThrow()
  })

  // Prisma redefines SQLite tables (create new, copy, DROP, rename). With foreign keys on, which
  // PRAGMA cannot change inside a transaction, the DROP would cascade-delete every child row.
  it.runIf(kind === 'sqlite')('keeps child rows when a migration redefines their parent table', async () => {
    const target = await createTestDatabase(kind, { migrate: false })
    const dir = path.join(tmp, 'redefine')
    const write = async (name: string, sql: string) => {
      await mkdir(path.join(dir, name), { recursive: true })
      await writeFile(path.join(dir, name, 'migration.sql'), sql)
    }
    await write('1_tables', `CREATE TABLE "P" ("id" TEXT NOT NULL PRIMARY KEY);
CREATE TABLE "C" ("id" TEXT NOT NULL PRIMARY KEY, "p" TEXT NOT NULL REFERENCES "P" ("id") ON DELETE CASCADE);
INSERT INTO "P" VALUES ('p'); INSERT INTO "C" VALUES ('c', 'p');`)
    await write('2_redefine', `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_P" ("id" TEXT NOT NULL PRIMARY KEY, "x" TEXT NOT NULL DEFAULT 'x');
INSERT INTO "new_P" ("id") SELECT "id" FROM "P";
DROP TABLE "P";
ALTER TABLE "new_P" RENAME TO "P";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;`)
    try {
      expect(await migrate(target.db, { migrationsDir: dir })).toEqual({ applied: ['1_tables', '2_redefine'] })
      expect(await target.db.client.$queryRawUnsafe('SELECT "id", "p" FROM "C"')).toEqual([{ id: 'c', p: 'p' }])
    } finally {
      await target.dispose()
    }
  })

  it.runIf(kind === 'postgres')('lets only one of two replicas starting at once apply each migration', async () => {
    const target = await createTestDatabase(kind, { migrate: false })
    const replica = await openDatabase(target.url)
    try {
      const results = await Promise.all([migrate(target.db), migrate(replica)])
      const applied = results.flatMap((r) => r.applied).sort()
      expect(applied).toEqual((await committedMigrations(kind)).map((m) => m.name))
    } finally {
      await replica.close()
      await target.dispose()
    }
  })

  it('enforces foreign keys: deleting a user cascades to its sessions and messages', async () => {
    const { client } = fresh.db
    await client.user.create({
      data: {
        id: 'u-cascade',
        username: 'cascade',
        passwordHash: 'x',
        sessions: { create: { id: 's-cascade', title: 't', messages: { create: { id: 'm-cascade', role: 'user', content: 'hi' } } } },
      },
    })
    expect(await client.message.count({ where: { sessionId: 's-cascade' } })).toBe(1)
    await client.user.delete({ where: { id: 'u-cascade' } })
    expect(await client.chatSession.count({ where: { id: 's-cascade' } })).toBe(0)
    expect(await client.message.count({ where: { id: 'm-cascade' } })).toBe(0)
  })

  it('surfaces a duplicate username as P2002', async () => {
    const { client } = fresh.db
    await client.user.create({ data: { id: 'u-dup-1', username: 'dup', passwordHash: 'x' } })
    await expect(client.user.create({ data: { id: 'u-dup-2', username: 'dup', passwordHash: 'x' } })).rejects.toMatchObject({ code: 'P2002' })
  })

  it('answers ping', async () => {
    await expect(fresh.db.ping()).resolves.toBeUndefined()
  })

  it.runIf(kind === 'sqlite')('runs SQLite in WAL mode with a busy timeout and foreign keys on', async () => {
    const pragma = async (name: string) => Object.values((await fresh.db.client.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0]!)[0]
    expect(await pragma('journal_mode')).toBe('wal')
    expect(Number(await pragma('busy_timeout'))).toBe(5000)
    expect(Number(await pragma('foreign_keys'))).toBe(1)
  })
})
