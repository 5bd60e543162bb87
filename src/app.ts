import { OpenAPIHono } from '@hono/zod-openapi'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { DependencyContainer } from 'tsyringe'
import type { Config } from './config.ts'
import { resolve } from './shared/di.ts'
import { NotFound } from './shared/errors.ts'
import type { AppEnv } from './shared/http/app-env.ts'
import { appBodyLimit } from './shared/http/body-limit.ts'
import { errorResponse, handleError } from './shared/http/error-envelope.ts'
import { pushBodies } from './shared/http/push-body.ts'
import { redactPath } from './shared/http/redact-path.ts'
import { requestContext } from './shared/http/request-context.ts'
import { Log } from './shared/logger.ts'
import { ServiceIdentity } from './features/system/service-info.port.ts'
import { systemRoutes } from './features/system/system.routes.ts'
import { auditRoutes } from './features/audit/audit.routes.ts'
import { authenticate } from './features/auth/auth.middleware.ts'
import { authRoutes } from './features/auth/auth.routes.ts'
import { settingsRoutes } from './features/settings/settings.routes.ts'
import { chatRoutes } from './features/chat/chat.routes.ts'
import { keysRoutes } from './features/keys/keys.routes.ts'
import { isRelayPath, relayRoutes } from './features/relay/relay.routes.ts'
import { geminiRoutes } from './features/relay/gemini/gemini.routes.ts'
import { usageRoutes } from './features/usage/usage.routes.ts'
import { sessionsRoutes } from './features/chat/sessions.routes.ts'
import { modelKeyRoutes } from './features/models/model-keys.routes.ts'
import { credentialPoolRoutes } from './features/models/credential-pool.routes.ts'
import { accountsRoutes } from './features/accounts/accounts.routes.ts'
import { modelsRoutes } from './features/models/models.routes.ts'
import { usersRoutes } from './features/users/users.routes.ts'
import { httpMetrics } from './features/metrics/http-metrics.middleware.ts'
import { metricsRoutes } from './features/metrics/metrics.routes.ts'
import { loadWebAssets } from './features/web/adapters/web-assets.ts'
import { webConsole } from './features/web/web.routes.ts'

/** The HTTP adapter: middleware, one router per feature, one error handler. */
export function createApp(container: DependencyContainer, config: Pick<Config, 'corsOrigins' | 'bodyLimitBytes' | 'relayBodyLimitBytes' | 'trustProxy' | 'metricsToken' | 'metricsPort'>) {
  const app = new OpenAPIHono<AppEnv>()
  app.use(httpMetrics(container))
  // Outside the header-setting middleware below: it writes pushed bodies (relay streams) once they are done.
  app.use(pushBodies())
  app.use(requestContext(resolve(container, Log)))
  app.use(secureHeaders())
  if (config.corsOrigins.length) {
    app.use(cors({ origin: config.corsOrigins, credentials: true, exposeHeaders: ['x-request-id', 'retry-after'] }))
  }
  // One body limit per route family: the relay (/v1) reads its own body against RELAY_BODY_LIMIT_BYTES
  // and answers in the client's dialect; every other route gets BODY_LIMIT_BYTES here.
  app.use(appBodyLimit(config.bodyLimitBytes, isRelayPath))

  app.use('/api/*', authenticate(container))

  app.route('/', metricsRoutes(container, config))
  app.route('/', systemRoutes(container))
  app.route('/', authRoutes(container, { trustProxy: config.trustProxy }))
  app.route('/', usersRoutes(container))
  app.route('/', settingsRoutes(container))
  app.route('/', auditRoutes(container))
  app.route('/', modelsRoutes(container))
  app.route('/', accountsRoutes(container))
  app.route('/', modelKeyRoutes(container))
  app.route('/', credentialPoolRoutes(container))
  app.route('/', sessionsRoutes(container))
  app.route('/', chatRoutes(container))
  app.route('/', keysRoutes(container))
  app.route('/', usageRoutes(container))
  app.route('/', relayRoutes(container, { bodyLimitBytes: config.relayBodyLimitBytes }))
  app.route('/', geminiRoutes(container, { bodyLimitBytes: config.relayBodyLimitBytes }))

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'chatbase API', version: resolve(container, ServiceIdentity).version },
  })
  const serveConsole = webConsole(loadWebAssets())
  app.notFound((c) => serveConsole(c) ?? errorResponse(c, new NotFound(`Route ${c.req.method} ${redactPath(c.req.path)}`)))
  app.onError(handleError)
  return app
}
export type App = ReturnType<typeof createApp>
