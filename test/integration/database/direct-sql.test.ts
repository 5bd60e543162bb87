import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/shared/infra/database/database.ts'
import { execute, insertSql, query, rowBoolean, rowDate } from '../../../src/shared/infra/database/raw-sql.ts'
import { createTestDatabase } from '../../support/test-database.ts'

// The hot paths write and read with plain SQL straight on the driver (raw-sql.ts); Prisma must read
// back exactly what they wrote, and they must read what Prisma wrote, whatever the process time zone.
const COLUMNS = ['id', 'username', 'passwordHash', 'createdAt', 'updatedAt'] as const
const at = new Date('2026-03-29T01:30:00.123Z') // inside a DST change in Europe, not at midnight anywhere

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`plain SQL on ${kind}`, () => {
    let db: Database
    let dispose: (() => Promise<void>) | undefined
    const zone = process.env.TZ
    beforeAll(async () => {
      ;({ db, dispose } = await createTestDatabase(kind))
    })
    afterAll(() => dispose?.())
    afterEach(async () => {
      process.env.TZ = zone
      await db.client.user.deleteMany()
    })

    it('writes dates and booleans that Prisma reads back unchanged, in a non-UTC time zone', async () => {
      process.env.TZ = 'America/New_York'
      await execute(db, insertSql('User', COLUMNS, 1), ['u-1', 'ada', 'x', at, at])
      expect(await execute(db, `UPDATE "User" SET "mustChangePassword" = ? WHERE "id" = ?`, [true, 'u-1'])).toBe(1)
      const read = await db.client.user.findUniqueOrThrow({ where: { id: 'u-1' } })
      expect(read.createdAt.toISOString()).toBe(at.toISOString())
      expect(read.mustChangePassword).toBe(true)
    })

    it('reads what Prisma wrote, with numbers (not BigInt), dates and booleans', async () => {
      process.env.TZ = 'Asia/Kolkata'
      await db.client.user.create({ data: { id: 'u-2', username: 'bob', passwordHash: 'x', createdAt: at, tokenVersion: 3 } })
      const [row] = await query(db, `SELECT "createdAt", "tokenVersion", "mustChangePassword" FROM "User" WHERE "id" = ?`, ['u-2'])
      expect(rowDate(row!.createdAt).toISOString()).toBe(at.toISOString())
      expect(row!.tokenVersion).toBe(3)
      expect(rowBoolean(row!.mustChangePassword)).toBe(false)
    })

    it('binds the same prepared statement to new values each time and counts changed rows', async () => {
      await db.client.user.createMany({ data: ['a', 'b', 'c'].map((id) => ({ id, username: id, passwordHash: 'x' })) })
      const names = async (id: string) => (await query(db, `SELECT "username" FROM "User" WHERE "id" = ?`, [id])).map((r) => r.username)
      expect([await names('a'), await names('c'), await names('zz')]).toEqual([['a'], ['c'], []])
      expect(await execute(db, `DELETE FROM "User" WHERE "id" <> ?`, ['b'])).toBe(2)
    })

    it('fails a bad statement with the driver error and keeps working', async () => {
      await expect(query(db, `SELECT "nope" FROM "User"`, [])).rejects.toThrow(/nope/)
      expect(await query(db, `SELECT COUNT(*) AS "n" FROM "User"`, [])).toEqual([{ n: kind === 'sqlite' ? 0 : '0' }])
    })
  })
}

describe('PostgreSQL connections the server closes', () => {
  it('are replaced, and the process lives on, when idle ones are terminated', async () => {
    const { db, url, dispose } = await createTestDatabase('postgres')
    try {
      await Promise.all([1, 2, 3].map(() => query(db, 'SELECT pg_sleep(0.05)', []))) // several idle connections
      const name = new URL(url).pathname.slice(1)
      const admin = await createTestDatabase('postgres', { migrate: false })
      try {
        const [{ n }] = (await query(admin.db, 'SELECT COUNT(pg_terminate_backend(pid)) AS "n" FROM pg_stat_activity WHERE datname = ?', [name])) as [{ n: string }]
        expect(Number(n)).toBeGreaterThan(0)
      } finally {
        await admin.dispose()
      }
      await new Promise((resolve) => setTimeout(resolve, 200)) // the idle clients hear the termination
      expect(await query(db, 'SELECT 1 AS "one"', [])).toEqual([{ one: 1 }])
    } finally {
      await dispose()
    }
  })
})
