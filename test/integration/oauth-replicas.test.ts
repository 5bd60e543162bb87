// OAuth upstream accounts in the production topology: two real server processes on one PostgreSQL
// and one Redis, a real OAuth authorization server (rotating refresh tokens, invalid_grant on reuse)
// and the test upstream, which only takes the access tokens that server says are valid.
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOAuthServer, type OAuthServer } from '../support/oauth-server.ts'
import { createTestRedis, type TestRedis } from '../support/redis.ts'
import { findSecretsAtRest, SecretList } from '../support/secrets-at-rest.ts'
import { callServer, startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { DEFAULT_TEXT, startUpstream, type Upstream } from '../support/upstream/server.ts'

const ADMIN = { username: 'admin', password: 'admin password 1' }
const METRICS_TOKEN = 'oauth-replicas-metrics-token-0123456789'

const call = callServer

describe('OAuth accounts on two replicas sharing PostgreSQL and Redis', () => {
  let database: TestDatabase
  let redis: TestRedis
  let upstream: Upstream
  let oauth: OAuthServer
  let a: ServerProcess
  let b: ServerProcess
  let admin: string
  let platformKey: string
  const seen: string[] = [] // every response body, to look for tokens in
  const tokensEverIssued: string[] = []
  let env: Record<string, string>

  const messages = (server: ServerProcess, model: string) =>
    call(server, 'POST', '/v1/messages', {
      headers: { 'x-api-key': platformKey, 'anthropic-version': '2023-06-01' },
      body: { model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
    })
  const importAccount = async (name: string, tokens: { accessToken: string; refreshToken: string; expiresAt: Date }, priority = 1) => {
    tokensEverIssued.push(tokens.accessToken, tokens.refreshToken)
    const res = await call(a, 'POST', '/api/admin/accounts', {
      token: admin,
      body: { name, providerKind: 'anthropic', authType: 'oauth', ...tokens, expiresAt: tokens.expiresAt.toISOString(), baseUrl: upstream.url, priority },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    seen.push(res.text)
    return res.body.id as string
  }
  const systemModel = async (alias: string, accountIds: string[]) => {
    const res = await call(a, 'POST', '/api/models/system', { token: admin, body: { providerKind: 'anthropic', displayName: alias, alias, modelId: 'claude-sonnet-4-5', accountIds } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
  }
  const account = async (server: ServerProcess, id: string) => (await call(server, 'GET', `/api/admin/accounts/${id}`, { token: admin })).body
  const bearersSeen = () => upstream.requests.map((r) => String(r.headers.authorization ?? '').replace('Bearer ', ''))

  beforeAll(async () => {
    redis = await createTestRedis()
    ;[database, oauth] = await Promise.all([createTestDatabase('postgres'), startOAuthServer()])
    upstream = await startUpstream({ acceptsAccessToken: (t) => oauth.isValidAccessToken(t) })
    env = {
      JWT_SECRET: 'oauth-replicas-jwt-secret-long-enough-0123456789',
      MASTER_KEY: Buffer.alloc(32, 5).toString('base64'),
      API_KEY_PEPPER: 'oauth-replicas-pepper-long-enough-0123456789',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      BCRYPT_COST: '4',
      LOG_LEVEL: 'debug',
      METRICS_TOKEN,
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      ANTHROPIC_OAUTH_TOKEN_URL: oauth.tokenUrl,
      OAUTH_SWEEP_INTERVAL_S: '0', // only the requests refresh here
    }
    a = await startServerProcess(env)
    await waitForReady(a.url)
    b = await startServerProcess(env)
    await waitForReady(b.url)
    admin = (await call(a, 'POST', '/api/auth/login', { body: ADMIN })).body.accessToken
    const key = await call(a, 'POST', '/api/keys', { token: admin, body: { name: 'oauth-replicas' } })
    platformKey = key.body.secret
  }, 120_000)

  afterAll(async () => {
    for (const server of [a, b]) {
      if (!server) continue
      if (server.child.exitCode === null) await server.stop('SIGKILL')
      rmSync(server.dataDir, { recursive: true, force: true })
    }
    await Promise.all([upstream?.close(), oauth?.close()])
    await redis?.cleanup()
    await database?.dispose()
  })

  it('100 concurrent requests on an expired token, split over both replicas: exactly one refresh, no error, only the new token upstream', async () => {
    const expired = oauth.seedTokens({ expiresInSeconds: -60 })
    const id = await importAccount('claude-one', expired)
    await systemModel('claude-pooled', [id])
    oauth.delayMs = 200 // a slow token endpoint makes the race real

    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => messages(i % 2 ? a : b, 'claude-pooled')))
    oauth.delayMs = 0

    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200))
    expect(replies.every((r) => r.body.content[0].text === DEFAULT_TEXT)).toBe(true)
    expect(oauth.calls.refresh_token).toBe(1)
    expect(oauth.reuse).toBe(0)
    const bearers = new Set(bearersSeen())
    expect(bearers.size).toBe(1)
    expect(bearers.has(expired.accessToken)).toBe(false)
    tokensEverIssued.push(...bearers)
    expect(await account(b, id)).toMatchObject({ status: 'active', authType: 'oauth' })
    expect(new Date((await account(b, id)).tokenExpiresAt).getTime()).toBeGreaterThan(Date.now())
    seen.push(...replies.map((r) => r.text))
  })

  it('a refresh token the endpoint refuses (invalid_grant): needs_reauth, audited and counted, and the pool moves to the next account', async () => {
    upstream.reset()
    const before = oauth.calls.refresh_token
    const refused = await importAccount('claude-refused', { ...oauth.seedTokens({ expiresInSeconds: -60 }), refreshToken: 'ort-never-issued-0123456789' }, 1)
    const healthy = oauth.seedTokens({ expiresInSeconds: 3600 })
    const second = await importAccount('claude-healthy', healthy, 2)
    await systemModel('claude-failover', [refused, second])

    const reply = await messages(b, 'claude-failover')
    expect(reply.status, reply.text).toBe(200)
    expect(oauth.calls.refresh_token - before).toBe(1)
    expect(bearersSeen()).toEqual([healthy.accessToken])
    expect(await account(a, refused)).toMatchObject({ status: 'needs_reauth', statusReason: expect.stringContaining('invalid_grant') })

    // Set aside on every replica: no second refresh attempt, straight to the healthy account.
    upstream.reset()
    expect((await messages(a, 'claude-failover')).status).toBe(200)
    expect(oauth.calls.refresh_token - before).toBe(1)
    expect(bearersSeen()).toEqual([healthy.accessToken])

    const audit = await call(a, 'GET', '/api/audit?limit=100', { token: admin })
    expect(JSON.stringify(audit.body)).toMatch(/needs_reauth|invalid_grant/)
    seen.push(audit.text, reply.text)
    const metrics = (await Promise.all([a, b].map((s) => call(s, 'GET', '/metrics', { token: METRICS_TOKEN })))).map((m) => m.text).join('\n')
    expect(metrics).toMatch(/chatbase_oauth_refreshes_total\{[^}]*outcome="invalid_grant"[^}]*\} 1/)
    seen.push(metrics)
  })

  it('no token is stored in plain text, logged, or shown in any response', async () => {
    const rows = JSON.stringify(await database.db.client.upstreamAccount.findMany(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))
    const list = await call(a, 'GET', '/api/admin/accounts', { token: admin })
    seen.push(list.text)
    const logs = a.output() + b.output()
    expect(tokensEverIssued.length).toBeGreaterThan(5)
    for (const secret of tokensEverIssued) {
      expect(rows).not.toContain(secret)
      expect(logs).not.toContain(secret)
      for (const body of seen) expect(body).not.toContain(secret)
    }
  })

  it('no secret of the run anywhere at rest: every PostgreSQL table, the Redis keys, both logs, the answers (also encoded)', async () => {
    const secrets = new SecretList()
    tokensEverIssued.forEach((token, i) => secrets.add(`OAuth token ${i + 1}`, token))
    for (const name of ['JWT_SECRET', 'MASTER_KEY', 'API_KEY_PEPPER', 'ADMIN_PASSWORD'] as const) secrets.add(name, env[name])
    secrets.add('METRICS_TOKEN', METRICS_TOKEN).add('platform key', platformKey).add('admin access token', admin)
    const found = await findSecretsAtRest(secrets, {
      logs: a.output() + b.output(),
      responses: seen,
      postgresUrl: database.url,
      redis: { url: redis.url, prefix: redis.prefix },
    })
    expect(found).toEqual([])
    // The search reads the rows: what is stored in plain text on purpose (an account's name) is found.
    expect(await findSecretsAtRest([{ label: 'an account name', value: 'claude-refused' }], { postgresUrl: database.url })).not.toEqual([])
  })
})
