// No secret at rest in plain text (issue 16): a real server process (SQLite, then PostgreSQL with
// Redis; LOG_LEVEL=trace) goes
// through register, login, refresh, password change, personal models with provider keys, chat
// through the test upstream, platform keys and relay calls, an OAuth account, a proxy password, and
// calls that put a key in the wrong place; then its logs, every file in its data directory (the
// SQLite database read as bytes, -wal and -shm included, while it runs and after it stopped; on
// PostgreSQL every row, and every Redis key) and the responses are searched for every secret used,
// also base64-, hex- and URL-encoded.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newSession, openStream, type Chatter } from '../support/e2e-chat.ts'
import { createTestRedis, type TestRedis } from '../support/redis.ts'
import { findSecretsAtRest, SecretList } from '../support/secrets-at-rest.ts'
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts'
import { startServerProcess, waitForReady, type ServerProcess } from '../support/server-process.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

const random = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`

describe('the secret scanner itself', () => {
  it('finds a secret as text, hex, base64 at any offset and URL-escaped, in text and in binary files, and nothing else', async () => {
    const secret = 'sk-scan-0123456789abcdef/+=='
    const dir = mkdtempSync(path.join(tmpdir(), 'chatbase-scan-'))
    try {
      const binary = Buffer.concat([randomBytes(1000), Buffer.from('x'), Buffer.from(Buffer.concat([Buffer.from('ab'), Buffer.from(secret)]).toString('base64')), randomBytes(1000)])
      writeFileSync(path.join(dir, 'blob.bin'), binary)
      writeFileSync(path.join(dir, 'hex.txt'), `key=${Buffer.from(secret).toString('hex')}`)
      writeFileSync(path.join(dir, 'clean.txt'), 'nothing to see')
      const found = await findSecretsAtRest([{ label: 'the key', value: secret }], {
        dataDir: dir,
        logs: `{"url":"/v1?key=${encodeURIComponent(secret)}"}`,
        responses: ['{"ok":true}'],
      })
      expect(found.sort()).toEqual(
        [`the key (sk-sca…, ${secret.length} chars) in ${dir}/blob.bin as base64`, `the key (sk-sca…, ${secret.length} chars) in ${dir}/hex.txt as hex`, `the key (sk-sca…, ${secret.length} chars) in logs as URL-escaped`].sort(),
      )
      expect(found.join('\n')).not.toContain(secret)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.each(['sqlite', 'postgres'] as const)('no secret at rest in plain text (real server process on %s, LOG_LEVEL=trace)', (kind) => {
  const PROVIDER_KEY = random('sk-provider-')
  const ROTATED_PROVIDER_KEY = random('sk-rotated-')
  const WRONG_PROVIDER_KEY = random('sk-wrong-')
  const ACCOUNT_KEY = random('sk-account-')
  const OAUTH_ACCESS = random('sk-ant-oat01-')
  const OAUTH_REFRESH = random('sk-ant-ort01-')
  const PROXY_PASSWORD = random('proxy-pass-')
  const ADMIN_PASSWORD = random('admin-pass-')
  const METRICS_TOKEN = random('metrics-')
  const password = random('user-pass-')
  const newPassword = random('new-pass-')
  const wrongPassword = random('wrong-pass-')

  let upstream: Upstream
  let server: ServerProcess
  const secrets = new SecretList()
  /** Answers that must not carry any secret (the ones that hand out a token or key are kept apart). */
  const responses: string[] = []
  /** Answers that hand out tokens or a key: they may carry those, and nothing else. */
  const issuing: string[] = []
  let runningFiles: Record<string, Buffer> = {}
  let database: TestDatabase | undefined
  let redis: TestRedis | undefined

  const request = async (method: string, url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; issues?: boolean } = {}) => {
    const headers: Record<string, string> = { connection: 'close', ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${server.url}${url}`, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) })
    const text = await res.text()
    const record = `${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${text}`
    ;(opts.issues ? issuing : responses).push(record)
    let body: any = text
    try {
      body = JSON.parse(text)
    } catch {
      // SSE or empty
    }
    return { status: res.status, body, text }
  }

  beforeAll(async () => {
    upstream = await startUpstream({ keys: [PROVIDER_KEY, ROTATED_PROVIDER_KEY, ACCOUNT_KEY], acceptsAccessToken: (t) => t === OAUTH_ACCESS })
    // PostgreSQL runs as in production: with Redis, which then holds limits, caches and OAuth flows too.
    const shared: Record<string, string> = {}
    if (kind === 'postgres') {
      ;[database, redis] = await Promise.all([createTestDatabase('postgres'), createTestRedis()])
      Object.assign(shared, { DATABASE_URL: database.url, REDIS_URL: redis.url })
    }
    server = await startServerProcess({ LOG_LEVEL: 'trace', BCRYPT_COST: '4', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD, METRICS_TOKEN, OAUTH_SWEEP_INTERVAL_S: '0', ...shared })
    await waitForReady(server.url)
    for (const [label, value] of Object.entries({ PROVIDER_KEY, ROTATED_PROVIDER_KEY, WRONG_PROVIDER_KEY, ACCOUNT_KEY, OAUTH_ACCESS, OAUTH_REFRESH, PROXY_PASSWORD, ADMIN_PASSWORD, METRICS_TOKEN, password, newPassword, wrongPassword })) {
      secrets.add(label, value)
    }
  }, 90_000)
  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop('SIGKILL')
    if (server) rmSync(server.dataDir, { recursive: true, force: true })
    await upstream?.close()
    await redis?.cleanup()
    await database?.dispose()
  })

  it('goes through accounts, models, chat, keys, relay and OAuth, with secrets in the wrong places too', async () => {
    // Accounts and sessions.
    const reg = await request('POST', '/api/auth/register', { body: { username: 'keeper', password }, issues: true })
    expect(reg.status).toBe(201)
    secrets.fromBody('register', reg.body)
    expect((await request('POST', '/api/auth/register', { body: { username: 'weakling', password: 'password' } })).status).toBe(400)
    expect((await request('POST', '/api/auth/login', { body: { username: 'keeper', password: wrongPassword } })).status).toBe(401)
    expect((await request('POST', '/api/auth/login', { body: { username: wrongPassword, password } })).status).toBe(401)
    secrets.fromBody('login', (await request('POST', '/api/auth/login', { body: { username: 'keeper', password }, issues: true })).body)
    const refreshed = await request('POST', '/api/auth/refresh', { body: { refreshToken: reg.body.refreshToken }, issues: true })
    expect(refreshed.status).toBe(200)
    secrets.fromBody('refresh', refreshed.body)
    expect((await request('POST', '/api/auth/password', { token: refreshed.body.accessToken, body: { currentPassword: password, newPassword } })).status).toBe(200)
    const login = await request('POST', '/api/auth/login', { body: { username: 'keeper', password: newPassword }, issues: true })
    secrets.fromBody('login after the password change', login.body)
    const token = login.body.accessToken as string
    // The old refresh token, reused after its rotation: refused (and the family revoked).
    expect((await request('POST', '/api/auth/refresh', { body: { refreshToken: reg.body.refreshToken } })).status).toBe(401)

    // Personal models with provider keys: created, tested, rotated, a wrong one.
    const model = await request('POST', '/api/models', {
      token,
      body: { providerKind: 'openai', displayName: 'mine', alias: 'mine', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: PROVIDER_KEY },
    })
    expect(model.status, model.text).toBe(201)
    expect((await request('POST', `/api/models/${model.body.id}/test`, { token })).status).toBe(200)
    expect((await request('POST', `/api/models/${model.body.id}/api-key`, { token, body: { apiKey: ROTATED_PROVIDER_KEY, verify: true } })).status).toBe(200)
    const wrong = await request('POST', '/api/models', {
      token,
      body: { providerKind: 'openai', displayName: 'wrong', alias: 'wrong', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: WRONG_PROVIDER_KEY },
    })
    expect(wrong.status, wrong.text).toBe(201)
    expect((await request('POST', `/api/models/${wrong.body.id}/test`, { token })).body).toBeTruthy()
    expect((await request('GET', '/api/models', { token })).status).toBe(200)

    // Chat through the upstream: streamed, as JSON, and failing on the wrong key.
    const who: Chatter = { username: 'keeper', password: newPassword, token, refreshToken: '', modelId: model.body.id }
    const stream = await openStream(server.url, who, await newSession(server.url, who), 'Tell me something')
    expect(await stream.ended).toMatchObject({ done: 'complete' })
    const session = await request('POST', '/api/sessions', { token, body: { modelId: model.body.id } })
    expect((await request('POST', '/api/chat', { token, body: { sessionId: session.body.id, content: 'and as JSON?' } })).status).toBe(200)
    const failing = await openStream(server.url, { ...who, modelId: wrong.body.id }, await newSession(server.url, { ...who, modelId: wrong.body.id }), 'hi')
    expect(await failing.ended).toMatchObject({ error: 'PROVIDER_AUTH_FAILED' })
    expect((await request('GET', `/api/sessions/${session.body.id}/messages`, { token })).status).toBe(200)

    // Platform keys and the relay.
    const issued = await request('POST', '/api/keys', { token, body: { name: 'ci' }, issues: true })
    expect(issued.status, issued.text).toBe(201)
    secrets.fromBody('platform key', issued.body)
    const platformKey = issued.body.secret as string
    const rotated = await request('POST', `/api/keys/${issued.body.key.id}/rotate`, { token, body: { graceSeconds: 60 }, issues: true })
    expect(rotated.status, rotated.text).toBe(200)
    secrets.fromBody('rotated platform key', rotated.body)
    const relayKey = rotated.body.secret as string
    const ask = { model: 'mine', messages: [{ role: 'user', content: 'hi' }] }
    expect((await request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${relayKey}` }, body: ask })).status).toBe(200)
    expect((await request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${platformKey}` }, body: { ...ask, stream: true } })).status).toBe(200)
    expect((await request('POST', '/v1/messages', { headers: { 'x-api-key': relayKey, 'anthropic-version': '2023-06-01' }, body: { ...ask, max_tokens: 16 } })).status).toBe(200)
    expect((await request('GET', '/v1/models', { headers: { authorization: `Bearer ${relayKey}` } })).status).toBe(200)
    // The upstream refuses the wrong provider key: the relay client's own key was fine, so a 502.
    expect((await request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${relayKey}` }, body: { ...ask, model: 'wrong' } })).status).toBe(502)

    // Keys in the wrong places: every one refused, none of them written down.
    const refusals = [
      await request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${relayKey}x` }, body: ask }),
      await request('POST', `/v1/chat/completions?api_key=${relayKey}&key=${relayKey}`, { body: ask }),
      await request('POST', '/v1/chat/completions', { headers: { authorization: `Basic ${Buffer.from(`:${relayKey}`).toString('base64')}` }, body: ask }),
      await request('POST', '/v1/chat/completions', { headers: { 'x-goog-api-key': relayKey, 'api-key': relayKey }, body: { ...ask, api_key: relayKey } }),
      await request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${token}` }, body: ask }),
      await request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${relayKey}` } }),
      await request('GET', '/api/auth/me', { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } }),
      await request('GET', `/api/auth/me?token=${token}&access_token=${token}`),
      await request('GET', `/v1/models/${relayKey}`, { headers: { authorization: `Bearer ${relayKey}x` } }),
      await request('GET', `/api/keys/${relayKey}/${token}`, { token }),
      await request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } }),
      await request('POST', '/api/auth/refresh', { body: { refreshToken: `${login.body.refreshToken}x` } }),
      await request('POST', '/api/auth/login', { body: `{"username":"keeper","password":"${newPassword}"` }),
      await request('POST', '/api/models', { token, body: { providerKind: 'openai', displayName: 'bad', modelId: 'm', baseUrl: 'ftp://nowhere', apiKey: PROVIDER_KEY } }),
      await request('POST', '/api/models', { token: relayKey, body: { providerKind: 'openai', displayName: 'bad', modelId: 'm', apiKey: PROVIDER_KEY } }),
    ]
    expect(refusals.map((r) => r.status).every((s) => s >= 400 && s < 500), JSON.stringify(refusals.map((r) => r.status))).toBe(true)
    expect((await request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200)

    // The administrator: an OAuth account with tokens, an API-key account behind a proxy with a password.
    const admin = await request('POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD }, issues: true })
    expect(admin.status).toBe(200)
    secrets.fromBody('admin login', admin.body)
    const adminToken = admin.body.accessToken as string
    const oauth = await request('POST', '/api/admin/accounts', {
      token: adminToken,
      body: { name: 'claude', providerKind: 'anthropic', authType: 'oauth', accessToken: OAUTH_ACCESS, refreshToken: OAUTH_REFRESH, expiresAt: new Date(Date.now() + 3600_000).toISOString(), baseUrl: upstream.url },
    })
    expect(oauth.status, oauth.text).toBe(201)
    const proxied = await request('POST', '/api/admin/accounts', {
      token: adminToken,
      body: { name: 'behind a proxy', providerKind: 'openai', authType: 'api_key', apiKey: ACCOUNT_KEY, baseUrl: `${upstream.url}/v1`, proxyUrl: `http://proxyuser:${PROXY_PASSWORD}@127.0.0.1:9` },
    })
    expect(proxied.status, proxied.text).toBe(201)
    const system = await request('POST', '/api/models/system', { token: adminToken, body: { providerKind: 'anthropic', displayName: 'claude', alias: 'claude', modelId: 'claude-sonnet-4-5', accountIds: [oauth.body.id] } })
    expect(system.status, system.text).toBe(201)
    const viaOAuth = await request('POST', '/v1/messages', { headers: { 'x-api-key': relayKey, 'anthropic-version': '2023-06-01' }, body: { model: 'claude', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] } })
    expect(viaOAuth.status, viaOAuth.text).toBe(200)
    expect(upstream.requests.some((r) => r.headers.authorization === `Bearer ${OAUTH_ACCESS}`)).toBe(true)
    expect((await request('GET', '/api/admin/accounts', { token: adminToken })).status).toBe(200)
    expect((await request('GET', `/api/admin/accounts/${proxied.body.id}`, { token: adminToken })).status).toBe(200)

    // The SQLite database as it is on disk while the server runs: the WAL holds the recent writes.
    if (kind !== 'sqlite') return
    runningFiles = {}
    for (const name of ['app.db', 'app.db-wal', 'app.db-shm']) {
      try {
        runningFiles[name] = readFileSync(path.join(server.dataDir, name))
      } catch {
        // not there
      }
    }
    expect(Object.keys(runningFiles)).toEqual(expect.arrayContaining(['app.db', 'app.db-wal']))
  }, 60_000)

  it('no secret is in the logs, the database (SQLite files running and stopped; PostgreSQL rows and Redis keys), the data directory or any answer', async () => {
    expect(await server.stop('SIGTERM')).toBe(0)
    const generated = JSON.parse(readFileSync(path.join(server.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>
    for (const [name, value] of Object.entries(generated)) secrets.add(`generated ${name}`, value)
    expect(secrets.size).toBeGreaterThan(25)

    const snapshot = mkdtempSync(path.join(tmpdir(), 'chatbase-running-db-'))
    try {
      for (const [name, bytes] of Object.entries(runningFiles)) writeFileSync(path.join(snapshot, `running-${name}`), bytes)
      const found = await findSecretsAtRest(secrets, {
        logs: server.output(),
        responses,
        // secrets.json holds the generated secrets by design (0600, see data-dir-modes.test.ts).
        dataDir: server.dataDir,
        exclude: ['secrets.json'],
        files: Object.keys(runningFiles).map((name) => path.join(snapshot, `running-${name}`)),
        postgresUrl: database?.url,
        redis: redis && { url: redis.url, prefix: redis.prefix },
      })
      expect(found).toEqual([])
      // The search reads real content: what is stored in plain text on purpose is found.
      const stored = kind === 'sqlite' ? { files: Object.keys(runningFiles).map((name) => path.join(snapshot, `running-${name}`)) } : { postgresUrl: database!.url }
      for (const value of ['Tell me something', 'behind a proxy', 'proxyuser']) {
        expect(await findSecretsAtRest([{ label: 'canary', value }], stored), value).not.toEqual([])
      }
    } finally {
      rmSync(snapshot, { recursive: true, force: true })
    }

    // The answers that hand out a token or key carry only those: no password, provider key or other secret.
    const handedOut = new Set(issuing.flatMap((text) => secrets.list().filter((s) => text.includes(s.value)).map((s) => s.label)))
    const notHandedOut = secrets.list().filter((s) => !/(accessToken|refreshToken|secret)/.test(s.label))
    expect(await findSecretsAtRest(notHandedOut, { responses: issuing })).toEqual([])
    expect(handedOut.size).toBeGreaterThan(5)
    expect(server.output()).not.toMatch(/Bearer [A-Za-z0-9._~+/-]{10,}/)
    console.info(`[no-secrets-at-rest] ${secrets.size} secrets, ${responses.length + issuing.length} answers, ${server.output().split('\n').length} log lines searched`)
  })
})
