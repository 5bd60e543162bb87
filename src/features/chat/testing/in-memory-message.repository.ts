import { NotFound, ValidationFailed } from '../../../shared/errors.ts'
import type { Page } from '../chat-session.repository.port.ts'
import type { MessageRepository } from '../message.repository.port.ts'
import { NO_USAGE, type Message, type MessageFinal, type NewMessage } from '../message.ts'

const encodeCursor = (id: string) => Buffer.from(id).toString('base64url')
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (id && encodeCursor(id) === cursor) return id
  throw new ValidationFailed('The cursor is invalid', [{ location: 'query', path: 'cursor', message: 'Invalid cursor' }])
}

const copy = (m: Message): Message => ({ ...m, usage: { ...m.usage } })
const byId = (a: Message, b: Message) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Same behaviour as PrismaMessageRepository (see the contract suite), kept in a Map. */
export class InMemoryMessageRepository implements MessageRepository {
  private readonly messages = new Map<string, Message>()
  /** Every saveTokenCounts call, so tests can see what was cached. */
  readonly savedTokenCounts: Record<string, number>[] = []

  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(input: NewMessage): Promise<Message> {
    const now = this.now()
    const { promptTokens, ...fields } = input
    const message: Message = {
      ...fields,
      finishReason: null,
      usage: promptTokens === undefined ? { ...NO_USAGE } : { ...NO_USAGE, inputTokens: promptTokens, estimated: true },
      errorCode: null,
      errorMessage: null,
      createdAt: now,
      updatedAt: now,
    }
    this.messages.set(message.id, message)
    return copy(message)
  }

  async findById(id: string): Promise<Message | null> {
    const m = this.messages.get(id)
    return m ? copy(m) : null
  }

  async listAll(sessionId: string): Promise<Message[]> {
    return this.ofSession(sessionId).map(copy)
  }

  async page(sessionId: string, { cursor, limit }: { cursor?: string; limit: number }): Promise<Page<Message>> {
    const after = cursor ? decodeCursor(cursor) : undefined
    const rows = this.ofSession(sessionId).filter((m) => after === undefined || m.id > after)
    const items = rows.slice(0, limit).map(copy)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null }
  }

  async saveProgress(id: string, content: string): Promise<void> {
    const m = this.messages.get(id)
    if (m?.status === 'streaming') this.messages.set(id, { ...m, content, updatedAt: this.now() })
  }

  async finalize(id: string, { usage, ...fields }: MessageFinal): Promise<boolean> {
    const m = this.messages.get(id)
    if (m?.status !== 'streaming') return false
    this.messages.set(id, { ...m, ...fields, usage: { ...usage }, updatedAt: this.now() })
    return true
  }

  async saveTokenCounts(counts: Record<string, number>): Promise<void> {
    this.savedTokenCounts.push({ ...counts })
    for (const [id, tokenCount] of Object.entries(counts)) {
      const m = this.messages.get(id)
      if (m) this.messages.set(id, { ...m, tokenCount: Math.round(tokenCount) })
    }
  }

  async editAndTruncateAfter(id: string, content: string, tokenCount: number | null): Promise<void> {
    const target = this.messages.get(id)
    if (!target) throw new NotFound('Message')
    this.messages.set(id, { ...target, content, tokenCount, updatedAt: this.now() })
    for (const m of this.ofSession(target.sessionId)) if (m.id > id) this.messages.delete(m.id)
  }

  async interruptStreaming(updatedBefore: Date): Promise<Message[]> {
    const interrupted: Message[] = []
    for (const m of [...this.messages.values()].sort(byId)) {
      if (m.status === 'streaming' && m.updatedAt < updatedBefore) {
        const done: Message = { ...m, status: 'interrupted', updatedAt: this.now() }
        this.messages.set(m.id, done)
        interrupted.push(copy(done))
      }
    }
    return interrupted
  }

  /** The cascade of a deleted session (called by InMemoryChatSessionRepository). */
  deleteSession(sessionId: string): void {
    for (const m of this.ofSession(sessionId)) this.messages.delete(m.id)
  }

  private ofSession(sessionId: string): Message[] {
    return [...this.messages.values()].filter((m) => m.sessionId === sessionId).sort(byId)
  }
}
