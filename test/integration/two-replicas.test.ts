// The production topology, locally: two real server processes (started like the README says) on
// one PostgreSQL database and one Redis. Whatever one replica does, the other must see.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestRedis, type TestRedis } from '../support/redis.ts'
import { callServer, startServerProcess, waitForReady, type ServerProcess, type ServerReply } from '../support/server-process.ts'
import { readSse } from '../support/sse.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

const ADMIN = { username: 'admin', password: 'admin password 1' }
const SHARED_ENV = {
  JWT_SECRET: 'two-replicas-jwt-secret-long-enough-0123456789',
  MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
  API_KEY_PEPPER: 'two-replicas-pepper-long-enough-0123456789',
  ADMIN_USERNAME: ADMIN.username,
  ADMIN_PASSWORD: ADMIN.password,
  BCRYPT_COST: '4',
}

const call = callServer
type Reply = ServerReply

async function login(server: ServerProcess, username: string, password: string): Promise<string> {
  const res = await call(server, 'POST', '/api/auth/login', { body: { username, password } })
  expect(res.status, `login ${username}: ${JSON.stringify(res.body)}`).toBe(200)
  return res.body.accessToken
}

describe('two real server processes sharing PostgreSQL and Redis', () => {
  let database: TestDatabase
  let redis: TestRedis
  let upstream: Upstream
  let a: ServerProcess
  let b: ServerProcess

  beforeAll(async () => {
    redis = await createTestRedis() // first: when Redis is missing, no database is left behind
    ;[database, upstream] = await Promise.all([createTestDatabase('postgres'), startUpstream()])
    const env = { ...SHARED_ENV, DATABASE_URL: database.url, REDIS_URL: redis.url }
    // One after the other, as a rolling deploy would: A migrates (nothing left to do) and creates the admin.
    a = await startServerProcess(env)
    await waitForReady(a.url)
    b = await startServerProcess(env)
    await waitForReady(b.url)
  }, 120_000)

  afterAll(async () => {
    for (const server of [a, b]) {
      if (!server) continue
      if (server.child.exitCode === null) await server.stop('SIGKILL')
      rmSync(server.dataDir, { recursive: true, force: true })
    }
    await upstream?.close()
    await redis?.cleanup()
    await database?.dispose()
  })

  it('both report the database and Redis as ready', async () => {
    for (const server of [a, b]) {
      const ready = await call(server, 'GET', '/ready')
      expect(ready.status).toBe(200)
      expect(ready.body.checks).toEqual([
        { name: 'database', ok: true },
        { name: 'redis', ok: true },
      ])
    }
  })

  it('registers on A and logs in on B; tokens work on both', async () => {
    const registered = await call(a, 'POST', '/api/auth/register', { body: { username: 'grace', password: 'grace password 1' } })
    expect(registered.status).toBe(201)
    const token = await login(b, 'grace', 'grace password 1')
    expect((await call(a, 'GET', '/api/auth/me', { token })).body).toMatchObject({ username: 'grace' })
  })

  it('a settings change on A is seen on B within a second', async () => {
    const admin = await login(a, ADMIN.username, ADMIN.password)
    const registration = async () => (await call(b, 'GET', '/api/settings', { token: admin })).body.system.registration
    expect(await registration()).toBe('open') // cached on B from here on
    expect((await call(a, 'PATCH', '/api/settings/system', { token: admin, body: { registration: 'closed' } })).status).toBe(200)
    await expect.poll(registration, { timeout: 1000, interval: 20 }).toBe('closed')
    expect((await call(b, 'POST', '/api/auth/register', { body: { username: 'heidi', password: 'heidi password 1' } })).status).toBe(403)
    await call(a, 'PATCH', '/api/settings/system', { token: admin, body: { registration: 'open' } })
    await expect.poll(registration, { timeout: 1000, interval: 20 }).toBe('open')
  })

  it('failed logins on A hold the account back on B', async () => {
    expect((await call(b, 'POST', '/api/auth/register', { body: { username: 'ivan', password: 'ivan password 1' } })).status).toBe(201)
    // Five tries from this address (both replicas together), then the next one waits 1 s.
    for (let n = 0; n < 5; n++) {
      const failed = await call(n % 2 ? b : a, 'POST', '/api/auth/login', { body: { username: 'ivan', password: 'not it' } })
      expect(failed.status).toBe(401)
    }
    const locked = await call(b, 'POST', '/api/auth/login', { body: { username: 'ivan', password: 'ivan password 1' } })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBe('1')
  })

  it('a stop sent to B stops the stream A serves', async () => {
    const token = await login(b, 'grace', 'grace password 1')
    const model = await call(a, 'POST', '/api/models', {
      token,
      body: { providerKind: 'anthropic', displayName: 'slow', modelId: 'claude-sonnet-4-5', baseUrl: upstream.url, apiKey: UPSTREAM_KEY },
    })
    expect(model.status, JSON.stringify(model.body)).toBe(201)
    const session = await call(a, 'POST', '/api/sessions', { token, body: { modelId: model.body.id } })
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'w'.repeat(50) })

    const res = await fetch(`${a.url}/api/chat/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: session.body.id, content: 'take your time' }),
    })
    expect(res.status).toBe(200)
    let assistantId = ''
    let deltas = 0
    let stop: Reply | undefined
    let done: any
    for await (const event of readSse(res)) {
      if (event.event === 'message') assistantId = event.data.assistantMessageId
      if (event.event === 'delta' && ++deltas === 3) stop = await call(b, 'POST', `/api/chat/${assistantId}/stop`, { token })
      if (event.event === 'done') done = event.data
    }
    expect(stop?.status).toBe(200)
    expect(stop?.body).toEqual({ stopped: true, status: 'aborted' })
    expect(done?.status).toBe('aborted')
    await upstream.waitForClientClose(1, 5000)
    const messages = await call(b, 'GET', `/api/sessions/${session.body.id}/messages`, { token })
    const reply = messages.body.items.find((m: any) => m.id === assistantId)
    expect(reply).toMatchObject({ status: 'aborted' })
    expect(reply.content).toMatch(/^w{3,49}$/)
  })

  it('both shut down cleanly on SIGTERM', async () => {
    expect(await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])).toEqual([0, 0])
    expect(a.output() + b.output()).not.toMatch(/Redis error/)
  })
})
