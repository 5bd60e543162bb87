import { timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import type { Config } from '../../config.ts'
import { resolve } from '../../shared/di.ts'
import { Unauthenticated } from '../../shared/errors.ts'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { MetricsExporter } from './metrics-exporter.port.ts'

export type MetricsConfig = Pick<Config, 'metricsToken' | 'metricsPort'>

/**
 * GET /metrics on the main port, only when METRICS_TOKEN is set and METRICS_PORT is not: then it
 * needs `Authorization: Bearer <METRICS_TOKEN>`. Otherwise nothing is mounted and the path answers
 * 404 like any unknown route (with METRICS_PORT, serveMetrics() serves it on that port instead).
 * Not part of the OpenAPI document: it is for Prometheus, not for API clients.
 */
export function metricsRoutes(container: DependencyContainer, config: MetricsConfig) {
  const router = new Hono<AppEnv>()
  if (config.metricsPort !== undefined || !config.metricsToken) return router
  const exporter = resolve(container, MetricsExporter)
  const expected = Buffer.from(`Bearer ${config.metricsToken}`)
  return router.get('/metrics', async (c) => {
    const given = Buffer.from(c.req.header('authorization') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      c.header('www-authenticate', 'Bearer realm="metrics"')
      throw new Unauthenticated('Use the header "Authorization: Bearer <METRICS_TOKEN>"')
    }
    return c.body(await exporter.render(), 200, { 'content-type': exporter.contentType })
  })
}
