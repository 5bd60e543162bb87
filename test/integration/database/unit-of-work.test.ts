import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { openDatabase } from '../../../src/shared/infra/database/open-database.ts'
import { PrismaUnitOfWork } from '../../../src/shared/infra/database/prisma-unit-of-work.ts'
import { execute, query } from '../../../src/shared/infra/database/raw-sql.ts'
import { createTestDatabase } from '../../support/test-database.ts'

const user = (id: string) => ({ id, username: id, passwordHash: 'x' })
class Boom extends Error {}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`PrismaUnitOfWork on ${kind}`, () => {
    let db: Database
    let url: string
    let dispose: (() => Promise<void>) | undefined
    let unit: PrismaUnitOfWork
    beforeAll(async () => {
      ;({ db, url, dispose } = await createTestDatabase(kind))
      unit = new PrismaUnitOfWork(db)
    })
    afterAll(() => dispose?.())
    beforeEach(async () => {
      await db.client.auditLog.deleteMany()
      await db.client.user.deleteMany()
    })
    const ids = async () => (await db.client.user.findMany({ orderBy: { id: 'asc' } })).map((u) => u.id)

    it('commits the model API, plain SQL and a repository of its own $transaction together', async () => {
      const result = await unit.run(async () => {
        await db.client.user.create({ data: user('a') })
        await execute(db, `UPDATE "User" SET "role" = ? WHERE "id" = ?`, ['ADMIN', 'a'])
        await db.client.$transaction(async (tx) => void (await tx.user.create({ data: user('b') })))
        return (await query(db, `SELECT "role" FROM "User" WHERE "id" = ?`, ['a']))[0]!.role // reads its own writes
      })
      expect(result).toBe('ADMIN')
      expect(await ids()).toEqual(['a', 'b'])
    })

    it('rolls every write back when the work throws, and passes the error on', async () => {
      await db.client.user.create({ data: user('kept') })
      await expect(
        unit.run(async () => {
          await db.client.user.create({ data: user('a') })
          await execute(db, `DELETE FROM "User" WHERE "id" = ?`, ['kept'])
          await unit.run(async () => void (await db.client.user.create({ data: user('nested') }))) // joins the outer unit
          throw new Boom('the audit write failed')
        }),
      ).rejects.toBeInstanceOf(Boom)
      expect(await ids()).toEqual(['kept'])
    })

    it('runs the settled hooks after a commit and after a rollback, not before; outside a unit they do nothing', async () => {
      const seen: string[] = []
      await unit.run(async () => {
        await db.client.user.create({ data: user('a') })
        expect(unit.whenSettled(async () => void seen.push(`committed: ${(await ids()).join()}`))).toBe(true)
        seen.push('working')
      })
      await unit
        .run(async () => {
          await db.client.user.create({ data: user('b') })
          unit.whenSettled(async () => void seen.push(`rolled back: ${(await ids()).join()}`))
          throw new Boom()
        })
        .catch(() => {})
      expect(seen).toEqual(['working', 'committed: a', 'rolled back: a'])
      expect(unit.whenSettled(async () => void seen.push('never'))).toBe(false)
    })

    it('keeps its writes from other connections until it commits', async () => {
      const other = await openDatabase(url)
      try {
        let seenMeanwhile: string[] = ['not read']
        await unit.run(async () => {
          await db.client.user.create({ data: user('a') })
          seenMeanwhile = (await other.client.user.findMany()).map((u) => u.id)
        })
        expect(seenMeanwhile).toEqual([])
        expect((await other.client.user.findMany()).map((u) => u.id)).toEqual(['a'])
      } finally {
        await other.close()
      }
    })
  })
}
