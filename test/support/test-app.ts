import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import type { DependencyContainer } from 'tsyringe'
import { createApp } from '../../src/app.ts'
import { loadConfig, type Config } from '../../src/config.ts'
import { buildContainer } from '../../src/container.ts'
import { BootstrapAdmin } from '../../src/features/auth/bootstrap-admin.use-case.ts'
import type { DatabaseKind } from '../../src/shared/infra/database/database.ts'
import { createLogger } from '../../src/shared/logger.ts'
import { createTestDatabase } from './test-database.ts'

export const ADMIN = { username: 'admin', password: 'admin password 1' }

export interface TestResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

export interface RequestOptions {
  token?: string
  body?: unknown
  rawBody?: string
  headers?: Record<string, string>
}

/**
 * The real app on a fresh, migrated database (SQLite by default), driven in-process with app.request().
 * Logs are captured so tests can assert that secrets never reach them.
 */
export async function createTestApp(options: { kind?: DatabaseKind; env?: Record<string, string>; override?: (c: DependencyContainer) => void } = {}) {
  const database = await createTestDatabase(options.kind ?? 'sqlite')
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chatbase-app-'))
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    BCRYPT_COST: '4',
    // Every in-process request comes from one address; tests that check the limit set their own.
    REGISTRATION_RATE_PER_HOUR: '1000',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'debug',
    // Tests point personal models at upstreams on 127.0.0.1; test/security/ssrf.test.ts turns it off.
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...options.env,
  })
  const logs: string[] = []
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk))
      done()
    },
  })
  const log = createLogger(config.logLevel, sink)
  const secrets = {
    jwtSecret: 'test-jwt-secret-that-is-long-enough-0123456789',
    masterKey: Buffer.alloc(32, 7),
    previousMasterKeys: [],
    apiKeyPepper: 'test-pepper-that-is-long-enough-0123456789',
  }
  const container = buildContainer({ config, db: database.db, log, secrets }, options.override)
  await container.resolve(BootstrapAdmin).execute()
  const app = createApp(container, config)

  async function request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    let body: string | undefined = opts.rawBody
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
    }
    const res = await app.request(url, { method, headers, body })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      // not JSON (SSE, plain text): keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await request('POST', '/api/auth/login', { body: { username, password } })
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.accessToken
  }

  async function registerUser(username: string, password = `${username} password`): Promise<{ token: string; id: string; refreshToken: string }> {
    const res = await request('POST', '/api/auth/register', { body: { username, password } })
    if (res.status !== 201) throw new Error(`register ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return { token: res.body.accessToken, id: res.body.user.id, refreshToken: res.body.refreshToken }
  }

  return {
    app,
    container,
    config,
    db: database.db,
    logs,
    request,
    login,
    registerUser,
    adminToken: () => login(ADMIN.username, ADMIN.password),
    async close() {
      await container.dispose()
      await database.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
export type TestApp = Awaited<ReturnType<typeof createTestApp>>
