import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { createRouter } from '../../shared/http/router.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { AppError } from '../../shared/errors.ts'
import { CheckReadiness } from './check-readiness.use-case.ts'
import { GetServiceInfo } from './get-service-info.use-case.ts'

const Health = z.object({ status: z.literal('ok') }).openapi('Health')
const Readiness = z
  .object({
    ready: z.boolean(),
    checks: z.array(z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() })),
  })
  .openapi('Readiness')
const Info = z
  .object({
    name: z.string(),
    version: z.string(),
    databaseKind: z.enum(['sqlite', 'postgres']),
    mode: z.enum(['single-user', 'multi-user']),
  })
  .openapi('ServiceInfo')

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Liveness: the process is up',
  responses: { 200: jsonContent(Health, 'Alive') },
})
const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['system'],
  summary: 'Readiness: every dependency (the database, Redis) answers',
  responses: { 200: jsonContent(Readiness, 'Ready'), ...errorResponses(503) },
})
const info = createRoute({
  method: 'get',
  path: '/api/info',
  tags: ['system'],
  summary: 'Service name, version, database kind and mode',
  responses: { 200: jsonContent(Info, 'Service info') },
})

export function systemRoutes(container: DependencyContainer) {
  const checkReadiness = container.resolve(CheckReadiness)
  const getInfo = container.resolve(GetServiceInfo)
  return createRouter()
    .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const result = await checkReadiness.execute()
      if (!result.ready) {
        const reasons = result.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.error}`)
        throw new AppError('SERVICE_UNAVAILABLE', `Not ready (${reasons.join('; ')})`, result)
      }
      return c.json(result, 200)
    })
    .openapi(info, async (c) => c.json(await getInfo.execute(), 200))
}
