import { Writable } from 'node:stream'
import { createApp } from '../../../src/app.ts'
import { buildContainer } from '../../../src/container.ts'
import { CacheInvalidation } from '../../../src/shared/cache-invalidation.port.ts'
import { bindValue, resolve } from '../../../src/shared/di.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import type { TestApp } from '../../support/test-app.ts'

/** Helpers for test/http/models*.test.ts and test/e2e/models*.test.ts. */

/** The master key createTestApp gives every app. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7)

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
 * Both share one cache-invalidation bus, as replicas sharing a Redis do.
 */
export function createSiblingApp(t: TestApp, keys: { masterKey: Buffer; previousMasterKeys: Buffer[] }) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      t.logs.push(String(chunk))
      done()
    },
  })
  const secrets = { jwtSecret: TEST_JWT_SECRET, apiKeyPepper: TEST_API_KEY_PEPPER, ...keys }
  // Replicas hear each other's cache invalidations (REDIS_URL in production; here the first app's bus).
  const invalidation = resolve(t.container, CacheInvalidation)
  const container = buildContainer({ config: t.config, db: t.db, log: createLogger('debug', sink), secrets }, (c) => bindValue(c, CacheInvalidation, invalidation))
  const app = createApp(container, t.config)
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
