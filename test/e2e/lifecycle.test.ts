import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '../../src/shared/infra/database/database.ts'
import { chatter, newSession, numberedText, openStream, type Chatter, type OpenStream } from '../support/e2e-chat.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

/**
 * Graceful shutdown of the real process with 50 replies streaming from a slow provider: SIGTERM,
 * the grace period, then every open reply is stopped and finalized as `aborted` with its partial text;
 * usage is written; the process exits 0 within grace + a few seconds.
 */
const STREAMS = 50
const USERS = 5
const GRACE_MS = 2000
const FULL_TEXT = numberedText(400) // 400 deltas x 50 ms: each reply would take 20 s

describe.each(['sqlite', 'postgres'] as DatabaseKind[])(`graceful shutdown with ${STREAMS} streams open (%s)`, (kind) => {
  let upstream: Upstream
  let database: TestDatabase
  let server: ServerProcess
  let streams: OpenStream[] = []

  beforeAll(async () => {
    upstream = await startUpstream()
    upstream.setDefault({ text: FULL_TEXT, chunks: 400, delayMs: 50 })
    database = await createTestDatabase(kind, { migrate: false })
    server = await startServerProcess({
      DATABASE_URL: database.url,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      BCRYPT_COST: '4',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'admin password 1',
    })
    await waitForReady(server.url)
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    await upstream?.close()
    await database?.dispose()
  })

  it('finalizes every reply, records usage and exits 0 within the grace period + 5 s', async () => {
    const t0 = Date.now()
    const users: Chatter[] = []
    for (let i = 0; i < USERS; i++) users.push(await chatter(server.url, upstream.url, `user${i}`))
    const sessions = await Promise.all(Array.from({ length: STREAMS }, (_, i) => newSession(server.url, users[i % USERS]!)))
    streams = await Promise.all(sessions.map((id, i) => openStream(server.url, users[i % USERS]!, id, `question ${i}`)))
    await Promise.all(streams.map((s) => s.firstDelta))
    console.info(`[lifecycle ${kind}] setup ${Date.now() - t0} ms`)
    await new Promise((r) => setTimeout(r, 1200)) // progress is saved every second

    const signalled = Date.now()
    const exit = server.stop('SIGTERM')
    // While draining, the listener is closed: a new connection is refused.
    await new Promise((r) => setTimeout(r, 300))
    const during = await fetch(`${server.url}/health`).then((r) => `status ${r.status}`, () => 'refused')
    const code = await exit
    const shutdownMs = Date.now() - signalled
    const ends = await Promise.all(streams.map((s) => s.ended))

    const assistant = await database.db.client.message.findMany({ where: { role: 'assistant' } })
    const userMessages = await database.db.client.message.count({ where: { role: 'user' } })
    const usage = await database.db.client.usageRecord.findMany({ where: { source: 'chat' } })
    const statuses = count(assistant.map((m) => m.status))
    const clientSaw = count(ends.map((e) => e.done ?? (e.broken ? 'broken' : 'no done event')))
    console.info(`[lifecycle ${kind}] SIGTERM -> exit ${code} in ${shutdownMs} ms (grace ${GRACE_MS} ms); new connection while draining: ${during}; ` +
      `replies in the database: ${JSON.stringify(statuses)}; clients saw: ${JSON.stringify(clientSaw)}; usage records: ${usage.length}`)

    if (code !== 0) console.info(`[lifecycle ${kind}] last log lines:\n${server.output().split('\n').slice(-12).join('\n')}`)
    expect(code).toBe(0)
    expect(shutdownMs).toBeLessThan(GRACE_MS + 5000)
    expect(during).toBe('refused')
    expect(userMessages).toBe(STREAMS)
    expect(assistant).toHaveLength(STREAMS)
    for (const reply of assistant) {
      expect(['aborted', 'complete']).toContain(reply.status)
      expect(reply.content.length).toBeGreaterThan(0)
      expect(FULL_TEXT.startsWith(reply.content)).toBe(true)
    }
    expect(usage).toHaveLength(STREAMS)
    expect(usage.every((u) => u.outputTokens > 0 && ['aborted', 'complete'].includes(u.status))).toBe(true)
    expect(server.output()).toMatch(/grace period over: stopping open streams/)
  }, 60_000)
})

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}
