// @prisma/schema-engine-wasm is internal and unstable. These checks fail first when an upgrade
// breaks the hand instantiation or one of the workarounds in scripts/lib (environment.md, bugs 1-7).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { scratchEngineDatabases } from '../../../scripts/lib/engine-databases.ts'
import { authorMigration, migrationsListOf, schemaFileOf } from '../../../scripts/lib/migration-workflow.ts'
import { loadSchemaEngine, openSchemaEngine } from '../../../scripts/lib/schema-engine.ts'

const PINNED = '8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323'
const filters = { externalTables: [], externalEnums: [] }

describe('schema engine (WASM) smoke test, SQLite', () => {
  it('is the pinned version and instantiates by hand', async () => {
    const entry = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm')
    const pkg = JSON.parse(await readFile(path.join(path.dirname(entry), 'package.json'), 'utf8')) as { version: string }
    expect(pkg.version).toBe(PINNED)
    expect(typeof (await loadSchemaEngine()).new).toBe('function')
  })

  it('diffs empty -> schema into CREATE TABLE statements', async () => {
    const schema = await schemaFileOf('sqlite')
    const databases = await scratchEngineDatabases('sqlite')
    const session = await openSchemaEngine(schema, databases.sources)
    try {
      const diff = await session.engine.diff({
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: true,
        filters,
      })
      expect(diff.exitCode).toBe(2)
      expect(diff.stdout).toContain('CREATE TABLE "User"')
    } finally {
      await session.close()
      await databases.dispose()
    }
  })

  // Replays the committed (multi-statement) migrations into shadow databases: bugs 1, 2, 3, 6, 7.
  it('authors a follow-up migration on top of the committed ones, and none when nothing changed', async () => {
    const schema = await schemaFileOf('sqlite')
    const list = await migrationsListOf('sqlite')
    const changed = { ...schema, content: `${schema.content}\nmodel SmokeTest {\n  id   String  @id\n  note String?\n}\n` }
    const sql = await authorMigration('sqlite', { name: '29990101000000_smoke', slug: 'smoke', schema: changed, list })
    expect(sql).toContain('CREATE TABLE "SmokeTest"')
    expect(await authorMigration('sqlite', { name: '29990101000000_noop', slug: 'noop', schema, list })).toBeNull()
  })
})
