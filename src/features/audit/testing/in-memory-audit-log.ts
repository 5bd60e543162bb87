import type { Clock } from '../../../shared/clock.port.ts'
import type { IdGenerator } from '../../../shared/ids.ts'
import type { AuditListQuery, AuditPage, AuditQuery } from '../audit-query.port.ts'
import type { AuditEntry, AuditRecord, AuditTrail } from '../audit-trail.port.ts'
import { ManualClock, SequentialIds } from '../../../shared/testing/fakes.ts'
import { redactSecrets } from '../redact-secrets.ts'

export class InMemoryAuditLog implements AuditTrail, AuditQuery {
  readonly records: AuditRecord[] = []

  constructor(
    private readonly ids: IdGenerator = new SequentialIds('audit'),
    private readonly clock: Clock = new ManualClock(),
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    this.records.push({
      id: this.ids.next(),
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      // Through JSON like the database, so later changes to the caller's object do not leak in.
      metadata: JSON.parse(JSON.stringify(redactSecrets(entry.metadata ?? {}))) as Record<string, unknown>,
      createdAt: this.clock.now(),
    })
  }

  async list({ actorId, action, from, to, cursor, limit }: AuditListQuery): Promise<AuditPage> {
    const matching = this.records
      .filter(
        (r) =>
          (actorId === undefined || r.actorId === actorId) &&
          (action === undefined || r.action === action) &&
          (!from || r.createdAt >= from) &&
          (!to || r.createdAt < to) &&
          (cursor === undefined || r.id < cursor),
      )
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    const items = matching.slice(0, limit).map((r) => structuredClone(r))
    const last = items.at(-1)
    return { items, nextCursor: matching.length > limit && last ? last.id : null }
  }
}
