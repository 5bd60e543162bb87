import { createRoute } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { adminOnly, requireAdmin } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { AuditListParams, AuditPageBody } from './audit.schemas.ts'
import { ListAuditEntries } from './list-audit-entries.use-case.ts'

const listAudit = createRoute({
  method: 'get',
  path: '/api/audit',
  tags: ['audit'],
  summary: 'Audit log, newest first (administrators)',
  security: [{ bearerAuth: [] }],
  middleware: [adminOnly] as const,
  request: { query: AuditListParams },
  responses: { 200: jsonContent(AuditPageBody, 'One page of entries'), ...errorResponses(400, 401, 403) },
})

export function auditRoutes(container: DependencyContainer) {
  const listEntries = container.resolve(ListAuditEntries)
  return createRouter().openapi(listAudit, async (c) => {
    const actor = requireAdmin(c)
    const { from, to, ...query } = c.req.valid('query')
    const page = await listEntries.execute({
      actor,
      ...query,
      ...(from ? { from: new Date(from) } : {}),
      ...(to ? { to: new Date(to) } : {}),
    })
    return c.json({ ...page, items: page.items.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) }, 200)
  })
}
