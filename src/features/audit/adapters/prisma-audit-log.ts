import { inject, injectable } from 'tsyringe'
import { Clock } from '../../../shared/clock.port.ts'
import { IdGenerator } from '../../../shared/ids.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import type { AuditListQuery, AuditPage, AuditQuery } from '../audit-query.port.ts'
import type { AuditAction, AuditEntry, AuditRecord, AuditTrail } from '../audit-trail.port.ts'
import { redactSecrets } from '../redact-secrets.ts'

interface AuditRow {
  id: string
  actorId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  metadata: string
  createdAt: Date
}

@injectable()
export class PrismaAuditLog implements AuditTrail, AuditQuery {
  constructor(
    @inject(Database) private readonly db: Database,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.client.auditLog.create({
      data: {
        id: this.ids.next(),
        actorId: entry.actorId,
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        metadata: JSON.stringify(redactSecrets(entry.metadata ?? {})),
        createdAt: this.clock.now(),
      },
    })
  }

  async list({ actorId, action, from, to, cursor, limit }: AuditListQuery): Promise<AuditPage> {
    const rows = await this.db.client.auditLog.findMany({
      where: {
        ...(actorId === undefined ? {} : { actorId }),
        ...(action === undefined ? {} : { action }),
        ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
        ...(cursor === undefined ? {} : { id: { lt: cursor } }),
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
    })
    const items = rows.slice(0, limit).map(toRecord)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? last.id : null }
  }
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    actorId: row.actorId,
    action: row.action as AuditAction,
    targetType: row.targetType,
    targetId: row.targetId,
    metadata: parseMetadata(row.metadata),
    createdAt: row.createdAt,
  }
}

function parseMetadata(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json)
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
