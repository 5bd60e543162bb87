import { createRoute, z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireActor, requireAdmin, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { GetMyUsage } from './get-my-usage.use-case.ts'
import { GetUsageReport } from './get-usage-report.use-case.ts'
import { AdminUsageQuery, UsageQuery, UsageReportSchema, UsageSummarySchema, UserLimitsOverrideSchema, UserLimitsViewSchema } from './usage.schemas.ts'
import { GetUserLimits, SetUserLimits } from './user-limits.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const UserId = z.object({ id: z.string().min(1).max(64) })

const myUsage = createRoute({
  method: 'get', path: '/api/usage', tags: ['usage'], security: bearer,
  summary: 'My usage (chat and my API keys): totals, by UTC day and by model, and my limits',
  middleware: [signedIn] as const,
  request: { query: UsageQuery },
  responses: { 200: jsonContent(UsageSummarySchema, 'Usage in the range'), ...errorResponses(400, 401) },
})
const adminUsage = createRoute({
  method: 'get', path: '/api/admin/usage', tags: ['admin'], security: bearer,
  summary: "Admin: everyone's usage grouped by user, model, API key or UTC day",
  middleware: [adminOnly] as const,
  request: { query: AdminUsageQuery },
  responses: { 200: jsonContent(UsageReportSchema, 'Usage in the range'), ...errorResponses(400, 401, 403) },
})
const getLimits = createRoute({
  method: 'get', path: '/api/admin/users/{id}/limits', tags: ['admin'], security: bearer,
  summary: "Admin: a user's limit overrides and the limits in effect",
  middleware: [adminOnly] as const,
  request: { params: UserId },
  responses: { 200: jsonContent(UserLimitsViewSchema, 'Limits'), ...errorResponses(401, 403, 404) },
})
const putLimits = createRoute({
  method: 'put', path: '/api/admin/users/{id}/limits', tags: ['admin'], security: bearer,
  summary: "Admin: replace a user's limit overrides ({} = the system defaults apply)",
  middleware: [adminOnly] as const,
  request: { params: UserId, body: { content: { 'application/json': { schema: UserLimitsOverrideSchema } }, required: true } },
  responses: { 200: jsonContent(UserLimitsViewSchema, 'Limits after the change'), ...errorResponses(400, 401, 403, 404) },
})

const range = <T extends { from: Date; to: Date }>(r: T) => ({ ...r, from: r.from.toISOString(), to: r.to.toISOString() })

/** GET /api/usage, GET /api/admin/usage, GET and PUT /api/admin/users/{id}/limits. */
export function usageRoutes(container: DependencyContainer) {
  const getMyUsage = container.resolve(GetMyUsage)
  const getReport = container.resolve(GetUsageReport)
  const getUserLimits = container.resolve(GetUserLimits)
  const setUserLimits = container.resolve(SetUserLimits)

  return createRouter()
    .openapi(myUsage, async (c) => c.json(range(await getMyUsage.execute({ actor: requireActor(c), ...c.req.valid('query') })), 200))
    .openapi(adminUsage, async (c) => c.json(range(await getReport.execute({ actor: requireAdmin(c), ...c.req.valid('query') })), 200))
    .openapi(getLimits, async (c) => c.json(await getUserLimits.execute({ actor: requireAdmin(c), userId: c.req.valid('param').id }), 200))
    .openapi(putLimits, async (c) => {
      const actor = requireAdmin(c)
      return c.json(await setUserLimits.execute({ actor, userId: c.req.valid('param').id, limits: c.req.valid('json') }), 200)
    })
}
