import { Writable } from 'node:stream'
import type { DependencyContainer } from 'tsyringe'
import { createApp } from '../../../src/app.ts'
import { buildContainer } from '../../../src/container.ts'
import { registerModels } from '../../../src/features/models/models.module.ts'
import { ModelConfigRepository } from '../../../src/features/models/model-config.repository.port.ts'
import { modelsRoutes } from '../../../src/features/models/models.routes.ts'
import { HttpAiProvider } from '../../../src/features/providers/adapters/http-ai-provider.ts'
import { AiProvider } from '../../../src/features/providers/ai-provider.port.ts'
import type { DatabaseKind } from '../../../src/shared/infra/database/database.ts'
import { bindValue } from '../../../src/shared/di.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { createTestApp, type TestApp } from '../../support/test-app.ts'

/** The master key createTestApp gives every app. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7)

/**
 * createTestApp with the models slice, for test/http/models*.test.ts and test/e2e/models*.test.ts.
 * Until container.ts and app.ts wire the slice, this registers it and mounts its routes itself; once
 * they do, both steps are skipped. The real HTTP AiProvider is bound so tests can aim it at the
 * local test upstream.
 */
export async function createModelsTestApp(
  options: { kind?: DatabaseKind; override?: (c: DependencyContainer) => void } = {},
): Promise<TestApp> {
  const t = await createTestApp({
    kind: options.kind,
    override: (c) => {
      if (!c.isRegistered(ModelConfigRepository)) registerModels(c, { masterKey: TEST_MASTER_KEY, previousMasterKeys: [] })
      bindValue(c, AiProvider, new HttpAiProvider())
      options.override?.(c)
    },
  })
  if (!t.app.routes.some((r) => r.path === '/api/models')) t.app.route('/', modelsRoutes(t.container))
  return t
}

/** Fails with the offending text when `secret` appears in any response body or captured log line. */
export function expectNowhere(t: TestApp, secret: string, responses: unknown[]): void {
  const haystack = JSON.stringify(responses) + t.logs.join('')
  if (haystack.includes(secret)) throw new Error(`secret ${secret.slice(0, 6)}… leaked into a response or a log line`)
}

// The secrets createTestApp gives its app; a sibling needs the same JWT secret to accept its tokens.
const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789'
const TEST_API_KEY_PEPPER = 'test-pepper-that-is-long-enough-0123456789'

/**
 * A second app instance on the same database with its own keyring: a replica restarted with a new
 * MASTER_KEY while the first still runs with the old one. Its log lines go into `t.logs` too.
 */
export function createSiblingApp(t: TestApp, keys: { masterKey: Buffer; previousMasterKeys: Buffer[] }) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      t.logs.push(String(chunk))
      done()
    },
  })
  const secrets = { jwtSecret: TEST_JWT_SECRET, apiKeyPepper: TEST_API_KEY_PEPPER, ...keys }
  const container = buildContainer({ config: t.config, db: t.db, log: createLogger('debug', sink), secrets }, (c) => {
    if (!c.isRegistered(ModelConfigRepository)) registerModels(c, keys)
    bindValue(c, AiProvider, new HttpAiProvider())
  })
  const app = createApp(container, t.config)
  if (!app.routes.some((r) => r.path === '/api/models')) app.route('/', modelsRoutes(container))
  return {
    container,
    async request(method: string, url: string, opts: { token?: string; body?: unknown } = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (opts.token) headers.authorization = `Bearer ${opts.token}`
      const res = await app.request(url, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
      return { status: res.status, body: (await res.json()) as any }
    },
  }
}
