import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '../../src/shared/infra/database/database.ts'
import { call, chatter, newSession, numberedText, openStream, until, type Chatter, type OpenStream } from '../support/e2e-chat.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

/**
 * kill -9 during streams, restart on the same data: replies left `streaming` become `interrupted`
 * with the partial text saved before the crash (progress is saved every second). On PostgreSQL the
 * start-up sweep only takes replies stale for STREAM_STALE_AFTER_MS (replicas share the database).
 */
const STREAMS = 10
const STALE_AFTER_MS = 3000
const FULL_TEXT = numberedText(400)

describe.each(['sqlite', 'postgres'] as DatabaseKind[])('crash recovery (%s)', (kind) => {
  let upstream: Upstream
  let database: TestDatabase
  let dataDir: string
  let server: ServerProcess | undefined
  const env = () => ({
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    STREAM_STALE_AFTER_MS: String(STALE_AFTER_MS),
    BCRYPT_COST: '4',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'admin password 1',
  })

  beforeAll(async () => {
    upstream = await startUpstream()
    upstream.setDefault({ text: FULL_TEXT, chunks: 400, delayMs: 50 })
    database = await createTestDatabase(kind, { migrate: false })
    dataDir = mkdtempSync(path.join(tmpdir(), 'chatbase-crash-'))
  })
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    await upstream?.close()
    await database?.dispose()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('turns replies cut by kill -9 into `interrupted` with their saved partial text', async () => {
    server = await startServerProcess(env())
    await waitForReady(server.url)
    const users: Chatter[] = [await chatter(server.url, upstream.url, 'alice'), await chatter(server.url, upstream.url, 'bob')]
    const sessions = await Promise.all(Array.from({ length: STREAMS }, (_, i) => newSession(server!.url, users[i % 2]!)))
    const streams: OpenStream[] = await Promise.all(sessions.map((id, i) => openStream(server!.url, users[i % 2]!, id, `question ${i}`)))
    await Promise.all(streams.map((s) => s.firstDelta))
    await new Promise((r) => setTimeout(r, 2500))

    expect(await server.stop('SIGKILL')).toBeNull()
    const killedAt = Date.now()
    const ends = await Promise.all(streams.map((s) => s.ended))
    expect(ends.every((e) => e.broken !== undefined || e.done === undefined)).toBe(true)

    const left = await database.db.client.message.findMany({ where: { role: 'assistant' }, orderBy: { id: 'asc' } })
    expect(left).toHaveLength(STREAMS)
    expect(left.every((m) => m.status === 'streaming' && m.content.length > 0)).toBe(true)
    const saved = new Map(left.map((m) => [m.id, m.content]))

    server = await startServerProcess(env())
    await waitForReady(server.url)
    const startedAfterMs = Date.now() - killedAt
    await until(async () => (await database.db.client.message.count({ where: { status: 'streaming' } })) === 0, 3 * STALE_AFTER_MS, 'the sweep')
    const recovered = await database.db.client.message.findMany({ where: { role: 'assistant' } })
    console.info(`[crash-recovery ${kind}] ${STREAMS} replies streaming at kill -9; restarted ${startedAfterMs} ms later; ` +
      `now ${JSON.stringify(recovered.map((m) => m.status).filter((s, i, all) => all.indexOf(s) === i))}; ` +
      `saved text ${Math.min(...[...saved.values()].map((t) => t.length))}-${Math.max(...[...saved.values()].map((t) => t.length))} chars`)
    for (const reply of recovered) {
      expect(reply.status).toBe('interrupted')
      expect(reply.content).toBe(saved.get(reply.id))
      expect(FULL_TEXT.startsWith(reply.content)).toBe(true)
    }
    // The log line follows the database update: wait for it rather than read it at once.
    const recoveryLine = /finalized replies (interrupted by an earlier crash|of a replica that stopped streaming)/
    await until(async () => recoveryLine.test(server!.output()), 5000, 'the recovery log line')
    // What was streamed before the kill counts: one usage record per interrupted reply, with the
    // prompt estimate stored at the start and the saved text counted.
    await until(async () => (await database.db.client.usageRecord.count({ where: { status: 'interrupted' } })) === STREAMS, 5000, 'the usage records')
    const usage = await database.db.client.usageRecord.findMany({ where: { status: 'interrupted' } })
    expect(usage.every((u) => u.inputTokens > 0 && u.outputTokens > 0 && u.estimated && u.source === 'chat')).toBe(true)

    // The owner sees it through the API too (the generated secrets in DATA_DIR survived the crash).
    const login = await call(server.url, 'POST', '/api/auth/login', { body: { username: 'alice', password: users[0]!.password } })
    const messages = await call(server.url, 'GET', `/api/sessions/${sessions[0]}/messages`, { token: login.body.accessToken })
    expect(messages.body.items.map((m: { status: string }) => m.status)).toEqual(['complete', 'interrupted'])
    expect(await server.stop('SIGTERM')).toBe(0)
  }, 90_000)
})
