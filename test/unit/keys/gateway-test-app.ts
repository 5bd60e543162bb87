// The test app with the gateway half (platform API keys, limits, usage) wired in, whether or not
// container.ts and app.ts already do it: registering and mounting twice is avoided.
import type { DependencyContainer } from 'tsyringe'
import { keysRoutes } from '../../../src/features/keys/keys.routes.ts'
import { registerKeys } from '../../../src/features/keys/keys.module.ts'
import { PlatformKeyRepository } from '../../../src/features/keys/platform-key.repository.port.ts'
import { ApiKeyAuthenticator } from '../../../src/features/relay/api-key-authenticator.port.ts'
import { UsageTotals } from '../../../src/features/usage/usage-totals.port.ts'
import { UsageRecorder } from '../../../src/features/usage/usage-recorder.port.ts'
import { registerUsage } from '../../../src/features/usage/usage.module.ts'
import { usageRoutes } from '../../../src/features/usage/usage.routes.ts'
import { resolve } from '../../../src/shared/di.ts'
import { requireActor } from '../../../src/shared/http/auth-guard.ts'
import { createTestApp } from '../../support/test-app.ts'

/** The pepper createTestApp hands to buildContainer. */
export const TEST_PEPPER = 'test-pepper-that-is-long-enough-0123456789'

export function wireGateway(c: DependencyContainer): void {
  if (!c.isRegistered(PlatformKeyRepository)) registerKeys(c, { pepper: TEST_PEPPER })
  if (!c.isRegistered(UsageTotals)) registerUsage(c)
}

/**
 * `GET /probe/whoami` authenticates `Authorization: Bearer sk-...` with the bound ApiKeyAuthenticator,
 * as the /v1 relay does, and answers who the caller is: key checks over HTTP without the relay.
 */
export async function createGatewayTestApp(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp({
    ...options,
    override: (c) => {
      wireGateway(c)
      options.override?.(c)
    },
  })
  const mounted = (path: string) => t.app.routes.some((r) => r.path === path)
  if (!mounted('/api/keys')) t.app.route('/', keysRoutes(t.container))
  if (!mounted('/api/usage')) t.app.route('/', usageRoutes(t.container))
  const keys = resolve(t.container, ApiKeyAuthenticator)
  t.app.get('/probe/whoami', async (c) => {
    const secret = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? ''
    const principal = await keys.authenticate(secret)
    c.set('actor', principal.actor)
    return c.json({ ...principal, username: requireActor(c).username })
  })
  return {
    ...t,
    whoami: (secret: string) => t.request('GET', '/probe/whoami', { headers: { authorization: `Bearer ${secret}` } }),
    flushUsage: () => resolve(t.container, UsageRecorder).flush(),
  }
}
export type GatewayTestApp = Awaited<ReturnType<typeof createGatewayTestApp>>
