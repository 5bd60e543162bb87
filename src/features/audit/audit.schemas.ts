import { z } from '@hono/zod-openapi'
import { DEFAULT_AUDIT_PAGE, MAX_AUDIT_PAGE } from './list-audit-entries.use-case.ts'

const instant = z.iso.datetime({ offset: true })

export const AuditListParams = z.object({
  actorId: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional().openapi({ example: 'settings.system_changed' }),
  from: instant.optional().openapi({ description: 'Inclusive, ISO 8601' }),
  to: instant.optional().openapi({ description: 'Exclusive, ISO 8601' }),
  cursor: z.string().min(1).max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(DEFAULT_AUDIT_PAGE),
})

const AuditRecordBody = z
  .object({
    id: z.string(),
    actorId: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('AuditRecord')

export const AuditPageBody = z
  .object({ items: z.array(AuditRecordBody), nextCursor: z.string().nullable() })
  .openapi('AuditPage')
