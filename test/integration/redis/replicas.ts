// Two (or more) in-process replicas of the real app: one PostgreSQL database and one Redis shared,
// each replica with its own pool, Redis connection, container and caches, as separate processes would.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createApp } from '../../../src/app.ts'
import { loadConfig } from '../../../src/config.ts'
import { buildContainer } from '../../../src/container.ts'
import { BootstrapAdmin } from '../../../src/features/auth/bootstrap-admin.use-case.ts'
import { ReplyControl } from '../../../src/features/chat/reply-control.port.ts'
import { ReplyFeed } from '../../../src/features/chat/reply-feed.port.ts'
import { SettingsChangeBus } from '../../../src/features/settings/settings-change-bus.port.ts'
import { CacheInvalidation } from '../../../src/shared/cache-invalidation.port.ts'
import { resolve } from '../../../src/shared/di.ts'
import { openDatabase } from '../../../src/shared/infra/database/open-database.ts'
import { openRedis } from '../../../src/shared/infra/redis.ts'
import { capturedLogger } from '../../support/captured-logger.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'
import { ADMIN, type RequestOptions, type TestResponse } from '../../support/test-app.ts'
import { createTestDatabase } from '../../support/test-database.ts'

export { ADMIN }

const SECRETS = {
  jwtSecret: 'replica-jwt-secret-that-is-long-enough-0123456789',
  masterKey: Buffer.alloc(32, 9),
  previousMasterKeys: [],
  apiKeyPepper: 'replica-pepper-that-is-long-enough-0123456789',
}

export async function startReplica(databaseUrl: string, redisUrl: string, name: string, env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `chatbase-${name}-`))
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    BCRYPT_COST: '4',
    REGISTRATION_RATE_PER_HOUR: '1000', // every in-process request comes from one address
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'debug',
    OUTBOUND_ALLOW_PRIVATE: 'true', // personal models point at upstreams on 127.0.0.1
    ...env,
  })
  const { log, logs } = capturedLogger([], config.logLevel)
  const db = await openDatabase(databaseUrl, { poolSize: 4 })
  const redis = await openRedis(redisUrl)
  const container = buildContainer({ config, db, log, secrets: SECRETS, redis })
  await container.resolve(BootstrapAdmin).execute()
  const app = createApp(container, config)
  // Every subscriber must listen before another replica publishes.
  const subscribers = [resolve(container, SettingsChangeBus), resolve(container, ReplyControl), resolve(container, ReplyFeed), resolve(container, CacheInvalidation)]
  await Promise.all(subscribers.map((a) => (a as { ready?: Promise<void> }).ready))

  let closing: Promise<void> | undefined

  async function request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json'
    const res = await app.request(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
    const text = await res.text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : null
    } catch {
      // SSE or plain text: keep the text
    }
    return { status: res.status, body: body as T, headers: res.headers }
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await request('POST', '/api/auth/login', { body: { username, password } })
    if (res.status !== 200) throw new Error(`${name}: login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.accessToken
  }

  return {
    name,
    app,
    container,
    logs,
    request,
    login,
    /** Idempotent. Like server shutdown: the container's disposables first, then the connections. */
    close: () =>
      (closing ??= (async () => {
        await container.dispose()
        await redis.quit()
        await db.close()
        rmSync(dataDir, { recursive: true, force: true })
      })()),
  }
}
export type Replica = Awaited<ReturnType<typeof startReplica>>

/** A fresh migrated PostgreSQL database and Redis prefix, and `count` replicas on them (`env` on top of the test config). */
export async function startReplicas(count = 2, env: Record<string, string> = {}): Promise<{ replicas: Replica[]; redis: TestRedis; close(): Promise<void> }> {
  const redis = await createTestRedis() // first: when Redis is missing, no database is left behind
  const database = await createTestDatabase('postgres')
  const replicas: Replica[] = []
  try {
    // One after the other: the first creates the administrator.
    for (let i = 0; i < count; i++) replicas.push(await startReplica(database.url, redis.url, String.fromCharCode(65 + i), env))
  } catch (error) {
    await Promise.all(replicas.map((r) => r.close()))
    await Promise.all([redis.cleanup(), database.dispose()])
    throw error
  }
  return {
    replicas,
    redis,
    async close() {
      await Promise.all(replicas.map((r) => r.close()))
      await Promise.all([redis.cleanup(), database.dispose()])
    },
  }
}
