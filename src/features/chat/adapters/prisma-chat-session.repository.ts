import { inject, injectable } from 'tsyringe'
import type { ChatSession as ChatSessionRow } from '../../../generated/sqlite/client.ts'
import { ValidationFailed } from '../../../shared/errors.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { columnList, execute, query, rowDate, type SqlRow, type SqlValue } from '../../../shared/infra/database/raw-sql.ts'
import type { ChatSessionRepository, Page } from '../chat-session.repository.port.ts'
import type { ChatSession, ChatSessionChanges, NewChatSession } from '../chat-session.ts'

interface SessionCursor {
  at: Date
  id: string
}

/** Opaque to clients: base64url of [lastActivityAt ISO, id]. */
export const encodeSessionCursor = ({ at, id }: SessionCursor): string =>
  Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url')

export function decodeSessionCursor(cursor: string): SessionCursor {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const date = new Date(typeof at === 'string' ? at : NaN)
    if (typeof id === 'string' && id && !Number.isNaN(date.getTime())) return { at: date, id }
  } catch {
    // fall through
  }
  throw new ValidationFailed('The cursor is invalid', [{ location: 'query', path: 'cursor', message: 'Invalid cursor' }])
}

const SESSION_COLUMNS = [
  'id', 'ownerId', 'modelConfigId', 'title', 'systemPrompt', 'lastActivityAt', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof ChatSessionRow)[]
const SELECT_SESSIONS = `SELECT ${columnList(SESSION_COLUMNS)} FROM "ChatSession"`

/** `%`, `_` and `\` in a search are literal characters. */
const likePattern = (q: string): string => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`

@injectable()
export class PrismaChatSessionRepository implements ChatSessionRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(session: NewChatSession): Promise<ChatSession> {
    return toSession(await this.db.client.chatSession.create({ data: session }))
  }

  // Every chat send reads its session and every list reads a page: plain SQL (raw-sql.ts explains why).
  async findOwned(id: string, ownerId: string): Promise<ChatSession | null> {
    const [row] = await query(this.db, `${SELECT_SESSIONS} WHERE "id" = ? AND "ownerId" = ?`, [id, ownerId])
    return row ? fromSql(row) : null
  }

  /**
   * Raw SQL because the case-insensitive title match must be the same code on both databases
   * (Prisma's `mode: 'insensitive'` does not exist for SQLite): `LOWER(title) LIKE lower(q)`.
   * PostgreSQL lowercases every script; SQLite's LOWER only folds ASCII, so there non-ASCII letters
   * match with their exact case. Ordered by the (ownerId, lastActivityAt) index, id breaks ties.
   */
  async list({ ownerId, q, cursor, limit }: { ownerId: string; q?: string; cursor?: string; limit: number }): Promise<Page<ChatSession>> {
    const after = cursor ? decodeSessionCursor(cursor) : undefined
    const search = q?.trim()
    const conditions = ['"ownerId" = ?']
    const values: SqlValue[] = [ownerId]
    if (search) {
      conditions.push(`LOWER("title") LIKE ? ESCAPE '\\'`)
      values.push(likePattern(search))
    }
    if (after) {
      conditions.push('("lastActivityAt" < ? OR ("lastActivityAt" = ? AND "id" < ?))')
      values.push(after.at, after.at, after.id)
    }
    const rows = await query(
      this.db,
      `${SELECT_SESSIONS} WHERE ${conditions.join(' AND ')} ORDER BY "lastActivityAt" DESC, "id" DESC LIMIT ?`,
      [...values, limit + 1],
    )
    const items = rows.slice(0, limit).map(fromSql)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? encodeSessionCursor({ at: last.lastActivityAt, id: last.id }) : null }
  }

  async update(id: string, ownerId: string, changes: ChatSessionChanges): Promise<ChatSession | null> {
    const { count } = await this.db.client.chatSession.updateMany({ where: { id, ownerId }, data: changes })
    return count === 1 ? this.findOwned(id, ownerId) : null
  }

  async delete(id: string, ownerId: string): Promise<boolean> {
    // Messages go with it: the foreign key cascades on both databases.
    const { count } = await this.db.client.chatSession.deleteMany({ where: { id, ownerId } })
    return count === 1
  }

  // Every chat reply touches its session: plain SQL (raw-sql.ts explains why).
  async touch(id: string, at: Date): Promise<void> {
    await execute(this.db, `UPDATE "ChatSession" SET "lastActivityAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [at, new Date(), id])
  }

  async ownerOf(id: string): Promise<string | null> {
    return (await this.db.client.chatSession.findUnique({ where: { id }, select: { ownerId: true } }))?.ownerId ?? null
  }
}

function toSession(row: ChatSessionRow): ChatSession {
  return {
    id: row.id,
    ownerId: row.ownerId,
    modelConfigId: row.modelConfigId,
    title: row.title,
    systemPrompt: row.systemPrompt,
    lastActivityAt: row.lastActivityAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

/** A row read by plain SQL: ISO text on SQLite, Date on PostgreSQL. */
const fromSql = (row: SqlRow): ChatSession =>
  toSession({ ...(row as unknown as ChatSessionRow), lastActivityAt: rowDate(row.lastActivityAt), createdAt: rowDate(row.createdAt), updatedAt: rowDate(row.updatedAt) })
