// Two in-process replicas of the real app (each with its own container, database pool and Redis
// connection) on ONE PostgreSQL database and ONE Redis: limits must hold across them, with no sync gap.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { buildContainer } from '../../src/container.ts'
import { BootstrapAdmin } from '../../src/features/auth/bootstrap-admin.use-case.ts'
import { keysRoutes } from '../../src/features/keys/keys.routes.ts'
import { CalibratedUsageGate } from '../../src/features/usage/calibrated-usage-gate.ts'
import { RedisUsageGate } from '../../src/features/usage/adapters/redis-usage-gate.ts'
import { UsageGate } from '../../src/features/usage/usage-gate.port.ts'
import { usageRoutes } from '../../src/features/usage/usage.routes.ts'
import { resolve } from '../../src/shared/di.ts'
import { openDatabase } from '../../src/shared/infra/database/open-database.ts'
import { createLogger } from '../../src/shared/logger.ts'
import { createTestRedis, type TestRedis } from '../support/redis.ts'
import { readSse } from '../support/sse.ts'
import { ADMIN } from '../support/test-app.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'
import { TEST_PEPPER, wireGateway } from '../unit/keys/gateway-test-app.ts'

const SECRETS = { jwtSecret: 'limits-replicas-jwt-secret-long-enough-0123', masterKey: Buffer.alloc(32, 5), previousMasterKeys: [], apiKeyPepper: TEST_PEPPER }

async function startReplica(databaseUrl: string, redis: TestRedis, name: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `chatbase-limits-${name}-`))
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, BCRYPT_COST: '4', ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, OUTBOUND_ALLOW_PRIVATE: 'true' })
  const db = await openDatabase(databaseUrl, { poolSize: 4 })
  const container = buildContainer({ config, db, log: createLogger('silent'), secrets: SECRETS, redis: await redis.open() }, wireGateway)
  await container.resolve(BootstrapAdmin).execute()
  const app = createApp(container, config)
  for (const [route, routes] of [['/api/keys', keysRoutes], ['/api/usage', usageRoutes]] as const) {
    if (!app.routes.some((r) => r.path === route)) app.route('/', routes(container))
  }
  const request = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await app.request(url, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text, headers: res.headers }
  }
  return {
    name,
    app,
    container,
    request,
    async close() {
      await container.dispose()
      await db.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
type Replica = Awaited<ReturnType<typeof startReplica>>

describe('limits across two replicas (one PostgreSQL, one Redis)', () => {
  let database: TestDatabase
  let redis: TestRedis
  let upstream: Upstream
  let a: Replica
  let b: Replica
  let admin: string

  beforeAll(async () => {
    redis = await createTestRedis() // fails loudly, naming what to start, when no Redis answers
    database = await createTestDatabase('postgres')
    upstream = await startUpstream()
    a = await startReplica(database.url, redis, 'A')
    b = await startReplica(database.url, redis, 'B')
    admin = (await a.request('POST', '/api/auth/login', undefined, ADMIN)).body.accessToken
  })
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()])
    await Promise.all([redis?.cleanup(), database?.dispose(), upstream?.close()])
  })

  /** A user (registered on A) with a model, a session, and limits set by the admin on A. */
  async function user(name: string, limits: Record<string, number>) {
    const registered = await a.request('POST', '/api/auth/register', undefined, { username: name, password: `${name} password` })
    const { accessToken: token, user: { id } } = registered.body
    const model = await a.request('POST', '/api/models', token, { providerKind: 'openai', displayName: 'gpt', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY, maxOutputTokens: 100 })
    const session = await a.request('POST', '/api/sessions', token, { modelId: model.body.id })
    expect((await a.request('PUT', `/api/admin/users/${id}/limits`, admin, limits)).status).toBe(200)
    // A chat takes one reply at a time (409): a request made while one streams goes to another session.
    const other = await a.request('POST', '/api/sessions', token, { modelId: model.body.id })
    const chat = (on: Replica, sessionId: string = session.body.id) => on.request('POST', '/api/chat', token, { sessionId, content: 'hi' })
    return { id, token, sessionId: session.body.id as string, otherSessionId: other.body.id as string, chat }
  }

  it('uses the Redis gate on both replicas', () => {
    for (const replica of [a, b]) {
      const gate = resolve(replica.container, UsageGate)
      expect(gate).toBeInstanceOf(CalibratedUsageGate)
      expect((gate as CalibratedUsageGate).inner).toBeInstanceOf(RedisUsageGate)
    }
  })

  it('holds 5 requests per minute across replicas: 3 on A + 3 on B -> the 6th is 429', async () => {
    const u = await user('rpm-across', { requestsPerMinute: 5 })
    const statuses: string[] = []
    for (const replica of [a, b, a, b, a, b]) {
      const res = await u.chat(replica)
      statuses.push(`${replica.name}:${res.status}`)
      if (res.status === 429) {
        expect(res.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'requestsPerMinute', limitValue: 5, used: 5 } })
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses).toEqual(['A:200', 'B:200', 'A:200', 'B:200', 'A:200', 'B:429'])
  })

  it('holds one concurrent stream across replicas: a stream open on A refuses a second on B', async () => {
    const u = await user('streams-across', { concurrentStreams: 1 })
    upstream.enqueue({ chunks: 30, delayMs: 30 })
    const streaming = await a.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: u.sessionId, content: 'long' }),
    })
    let refusedOnB: { status: number; body: any } | undefined
    for await (const event of readSse(streaming)) {
      if (event.event === 'delta' && !refusedOnB) refusedOnB = await u.chat(b, u.otherSessionId)
    }
    expect(refusedOnB).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED', details: { limit: 'concurrentStreams' } } } })
    // The stream on A ended and settled: B may stream now.
    expect((await u.chat(b)).status).toBe(200)
  })

  it('shares token reservations and settlements: a stream reserving on A leaves no room on B until it settles', async () => {
    // Each chat reserves its prompt (a few tokens) + maxOutputTokens (100) and settles to ~15 real tokens.
    const u = await user('tokens-across', { tokensPerDay: 150 })
    upstream.enqueue({ chunks: 20, delayMs: 30 })
    const streaming = await a.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: u.sessionId, content: 'long' }),
    })
    let refusedOnB: { status: number; body: any } | undefined
    for await (const event of readSse(streaming)) {
      if (event.event === 'delta' && !refusedOnB) refusedOnB = await u.chat(b, u.otherSessionId)
    }
    expect(refusedOnB).toMatchObject({ status: 429, body: { error: { code: 'QUOTA_EXCEEDED', details: { limit: 'tokensPerDay', limitValue: 150 } } } })
    expect(refusedOnB!.body.error.details.used).toBeGreaterThan(100) // A's reservation, seen by B
    expect((await u.chat(b)).status).toBe(200) // A settled to its real use
  })

  it('keeps every key under the run prefix, with leases and windows that expire', async () => {
    const keys = await redis.keys()
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.every((k) => k.startsWith(`${redis.prefix}chatbase:`))).toBe(true)
    const client = await redis.open()
    for (const key of keys.filter((k) => k.includes(':usage:')).map((k) => k.slice(redis.prefix.length))) {
      expect(await client.pttl(key), key).toBeGreaterThan(0) // nothing lives forever
    }
  })
})
