import 'reflect-metadata'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { migrate } from '../../../src/shared/infra/database/migrator.ts'
import { openDatabase } from '../../../src/shared/infra/database/open-database.ts'
import { SqliteCacheInvalidation } from '../../../src/shared/infra/sqlite-cache-invalidation.ts'
import { createLogger } from '../../../src/shared/logger.ts'

describe('SqliteCacheInvalidation: writes by another process (the admin CLI) drop every cache', () => {
  let dir: string
  let app: Database
  let cli: Database
  let bus: SqliteCacheInvalidation
  const heard: (readonly string[] | null)[] = []

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sqlite-invalidation-'))
    const url = `file:${path.join(dir, 'app.db')}`
    app = await openDatabase(url)
    await migrate(app)
    cli = await openDatabase(url)
    bus = new SqliteCacheInvalidation(app, createLogger('silent'))
    bus.subscribe('platform-keys', (ids) => heard.push(ids))
    await bus.check() // the first look only remembers the version
  })

  afterAll(async () => {
    bus.dispose()
    await Promise.all([app.close(), cli.close()])
    await rm(dir, { recursive: true, force: true })
  })

  it('stays quiet while only the app itself writes', async () => {
    await app.client.$executeRawUnsafe(`UPDATE "User" SET "username" = "username"`)
    await app.client.systemSetting.deleteMany({ where: { key: 'nothing' } })
    await bus.check()
    expect(heard).toEqual([])
  })

  it('tells every listener "anything may have changed" once another connection committed', async () => {
    await cli.client.$executeRawUnsafe(`INSERT INTO "SystemSetting" ("key", "value", "updatedAt") VALUES ('cli', '"x"', CURRENT_TIMESTAMP)`)
    await bus.check()
    expect(heard).toEqual([null])
    await bus.check() // nothing new since
    expect(heard).toEqual([null])
  })

  it('still delivers what this process publishes', async () => {
    await bus.publish('platform-keys', ['k1'])
    expect(heard.at(-1)).toEqual(['k1'])
  })
})
