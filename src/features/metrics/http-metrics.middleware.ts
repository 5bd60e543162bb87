import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { DependencyContainer } from 'tsyringe'
import { resolve } from '../../shared/di.ts'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { answeredStatus } from '../../shared/http/node-request.ts'
import { HttpMetrics } from './metrics-exporter.port.ts'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/** Every request that reached no route handler shares this label, whatever its path. */
export const UNMATCHED_ROUTE = 'unmatched'

/**
 * Counts and times every request by method, route TEMPLATE and status. Mount it first, so that it
 * sees the final status of everything, errors and 404s included.
 */
export function httpMetrics(container: DependencyContainer): MiddlewareHandler<AppEnv> {
  const metrics = resolve(container, HttpMetrics)
  return async (c, next) => {
    const started = performance.now()
    try {
      await next()
    } finally {
      const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER'
      metrics.httpRequest({ method, route: routeTemplate(c), status: answeredStatus(c) }, (performance.now() - started) / 1000)
    }
  }
}

/**
 * The template of the route that served the request. Middleware (`ALL /*`, `ALL /api/*`) is not a
 * route: when only middleware matched, the request was for an unknown path.
 */
function routeTemplate(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const label = c.get('routeLabel')
  if (label) return label
  const routes = matchedRoutes(c)
  const serving = routes[c.req.routeIndex]
  if (serving && serving.method !== 'ALL') return serving.path
  return routes.find((r) => r.method !== 'ALL')?.path ?? UNMATCHED_ROUTE
}
