import 'reflect-metadata'
import { createTestDatabase } from '/work/main/test/support/test-database.ts'
for (const kind of ['sqlite','postgres'] as const) {
const { db, dispose } = await createTestDatabase(kind)
await db.client.user.create({ data: { id: 'u1', username: 'u1', passwordHash: 'x' } })
await db.client.usageRecord.create({ data: { id: 'r1', userId: 'u1', modelId: 'm', provider: 'p', source: 'chat', status: 'complete', createdAt: new Date('2026-01-02T23:59:59.123Z') } })
if (kind === 'sqlite') console.log(await db.client.$queryRawUnsafe(`SELECT typeof("createdAt") t, "createdAt" c, strftime('%Y-%m-%d', "createdAt"/1000, 'unixepoch') d FROM "UsageRecord"`))
else console.log(await db.client.$queryRawUnsafe(`SELECT to_char("createdAt", 'YYYY-MM-DD') d, "createdAt" c, sum("inputTokens") s, count(*) n FROM "UsageRecord" group by 1,2`))
await dispose()
}
