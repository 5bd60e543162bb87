import { inject, injectable } from 'tsyringe'
import { Prisma, type Message as MessageRow } from '../../../generated/sqlite/client.ts'
import { NotFound, ValidationFailed } from '../../../shared/errors.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { columnList, execute, insertSql, query, rowBoolean, rowDate, type SqlRow, type SqlValue } from '../../../shared/infra/database/raw-sql.ts'
import type { Page } from '../chat-session.repository.port.ts'
import type { MessageRepository } from '../message.repository.port.ts'
import type { Message, MessageFinal, MessageRole, MessageStatus, NewMessage } from '../message.ts'

/** Opaque to clients: base64url of the last message id of the page (ids are time-ordered). */
export const encodeMessageCursor = (id: string): string => Buffer.from(id).toString('base64url')

export function decodeMessageCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (id && encodeMessageCursor(id) === cursor) return id
  throw new ValidationFailed('The cursor is invalid', [{ location: 'query', path: 'cursor', message: 'Invalid cursor' }])
}

const MESSAGE_COLUMNS = [
  'id', 'sessionId', 'parentId', 'role', 'content', 'status', 'modelConfigId', 'finishReason', 'tokenCount', 'inputTokens',
  'outputTokens', 'cachedTokens', 'reasoningTokens', 'tokensEstimated', 'errorCode', 'errorMessage', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof MessageRow)[]

const SELECT_MESSAGES = `SELECT ${columnList(MESSAGE_COLUMNS)} FROM "Message"`

/** Rows per UPDATE in saveTokenCounts: 3 parameters each, far below both databases' limits. */
const TOKEN_COUNT_CHUNK = 500

@injectable()
export class PrismaMessageRepository implements MessageRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  // The reads and writes of every chat send, reply and message list: plain SQL (raw-sql.ts explains why).
  async append(message: NewMessage): Promise<Message> {
    const now = new Date()
    const row: MessageRow = {
      id: message.id,
      sessionId: message.sessionId,
      parentId: message.parentId,
      role: message.role,
      content: message.content,
      status: message.status,
      modelConfigId: message.modelConfigId,
      finishReason: null,
      tokenCount: message.tokenCount,
      inputTokens: message.promptTokens ?? null,
      outputTokens: null,
      cachedTokens: null,
      reasoningTokens: null,
      tokensEstimated: message.promptTokens !== undefined,
      errorCode: null,
      errorMessage: null,
      createdAt: now,
      updatedAt: now,
    }
    await execute(this.db, insertSql('Message', MESSAGE_COLUMNS, 1), MESSAGE_COLUMNS.map((column) => row[column]))
    return toMessage(row)
  }

  async findById(id: string): Promise<Message | null> {
    const [row] = await query(this.db, `${SELECT_MESSAGES} WHERE "id" = ?`, [id])
    return row ? fromSql(row) : null
  }

  async listAll(sessionId: string): Promise<Message[]> {
    const rows = await query(this.db, `${SELECT_MESSAGES} WHERE "sessionId" = ? ORDER BY "id" ASC`, [sessionId])
    return rows.map(fromSql)
  }

  async page(sessionId: string, { cursor, limit }: { cursor?: string; limit: number }): Promise<Page<Message>> {
    const after = cursor ? decodeMessageCursor(cursor) : undefined
    const rows = after
      ? await query(this.db, `${SELECT_MESSAGES} WHERE "sessionId" = ? AND "id" > ? ORDER BY "id" ASC LIMIT ?`, [sessionId, after, limit + 1])
      : await query(this.db, `${SELECT_MESSAGES} WHERE "sessionId" = ? ORDER BY "id" ASC LIMIT ?`, [sessionId, limit + 1])
    const items = rows.slice(0, limit).map(fromSql)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? encodeMessageCursor(last.id) : null }
  }

  async saveProgress(id: string, content: string): Promise<void> {
    await execute(this.db, `UPDATE "Message" SET "content" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" = 'streaming'`, [content, new Date(), id])
  }

  async finalize(id: string, final: MessageFinal): Promise<boolean> {
    // Conditional on `streaming`: of two racing finalizations (stream end vs abort vs recovery) one wins.
    const { usage } = final
    const fields: Record<string, SqlValue> = {
      status: final.status,
      content: final.content,
      finishReason: final.finishReason,
      tokenCount: final.tokenCount,
      errorCode: final.errorCode,
      errorMessage: final.errorMessage,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedTokens: usage.cachedTokens,
      reasoningTokens: usage.reasoningTokens,
      tokensEstimated: usage.estimated,
      updatedAt: new Date(),
    }
    const names = Object.keys(fields)
    const sql = `UPDATE "Message" SET ${names.map((name) => `"${name}" = ?`).join(', ')} WHERE "id" = ? AND "status" = 'streaming'`
    return (await execute(this.db, sql, [...Object.values(fields), id])) === 1
  }

  /** One UPDATE ... CASE per chunk instead of one statement per message; leaves updatedAt alone. */
  async saveTokenCounts(counts: Record<string, number>): Promise<void> {
    const entries = Object.entries(counts)
    for (let i = 0; i < entries.length; i += TOKEN_COUNT_CHUNK) {
      const chunk = entries.slice(i, i + TOKEN_COUNT_CHUNK)
      const cases = Prisma.join(chunk.map(([id, n]) => Prisma.sql`WHEN ${id} THEN CAST(${Math.round(n)} AS INTEGER)`), ' ')
      await this.db.client.$executeRaw`
        UPDATE "Message" SET "tokenCount" = CASE "id" ${cases} END
        WHERE "id" IN (${Prisma.join(chunk.map(([id]) => id))})`
    }
  }

  async editAndTruncateAfter(id: string, content: string, tokenCount: number | null): Promise<void> {
    await this.db.client.$transaction(async (tx) => {
      const target = await tx.message.findUnique({ where: { id }, select: { sessionId: true } })
      if (!target) throw new NotFound('Message')
      await tx.message.update({ where: { id }, data: { content, tokenCount } })
      await tx.message.deleteMany({ where: { sessionId: target.sessionId, id: { gt: id } } })
    })
  }

  async interruptStreaming(updatedBefore: Date): Promise<Message[]> {
    const stale = await this.db.client.message.findMany({ where: { status: 'streaming', updatedAt: { lt: updatedBefore } }, orderBy: { id: 'asc' } })
    const interrupted: Message[] = []
    for (const row of stale) {
      // One by one, still guarded by the status: a reply another replica finalized meanwhile is not ours.
      const { count } = await this.db.client.message.updateMany({ where: { id: row.id, status: 'streaming' }, data: { status: 'interrupted' } })
      if (count === 1) interrupted.push({ ...toMessage(row), status: 'interrupted' })
    }
    return interrupted
  }
}

/** A row read by plain SQL: Prisma's types, from whichever driver answered. */
const fromSql = (row: SqlRow): Message =>
  toMessage({ ...(row as unknown as MessageRow), tokensEstimated: rowBoolean(row.tokensEstimated), createdAt: rowDate(row.createdAt), updatedAt: rowDate(row.updatedAt) })

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    sessionId: row.sessionId,
    parentId: row.parentId,
    role: row.role as MessageRole,
    content: row.content,
    status: row.status as MessageStatus,
    modelConfigId: row.modelConfigId,
    finishReason: row.finishReason,
    tokenCount: row.tokenCount,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cachedTokens: row.cachedTokens,
      reasoningTokens: row.reasoningTokens,
      estimated: row.tokensEstimated,
    },
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}
