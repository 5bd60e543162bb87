import { ValidationFailed } from '../../../shared/errors.ts'
import type { ChatSessionRepository, Page } from '../chat-session.repository.port.ts'
import type { ChatSession, ChatSessionChanges, NewChatSession } from '../chat-session.ts'
import type { InMemoryMessageRepository } from './in-memory-message.repository.ts'

const encodeCursor = (s: ChatSession) => Buffer.from(JSON.stringify([s.lastActivityAt.toISOString(), s.id])).toString('base64url')
function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[]
    const time = new Date(typeof at === 'string' ? at : NaN).getTime()
    if (typeof id === 'string' && id && !Number.isNaN(time)) return { at: time, id }
  } catch {
    // fall through
  }
  throw new ValidationFailed('The cursor is invalid', [{ location: 'query', path: 'cursor', message: 'Invalid cursor' }])
}

/** Newest activity first, then id descending (the Prisma adapter's ORDER BY). */
const newestFirst = (a: ChatSession, b: ChatSession) =>
  b.lastActivityAt.getTime() - a.lastActivityAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/** Same behaviour as PrismaChatSessionRepository; pass the message fake to get the delete cascade. */
export class InMemoryChatSessionRepository implements ChatSessionRepository {
  private readonly sessions = new Map<string, ChatSession>()

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly messages?: InMemoryMessageRepository,
  ) {}

  async create(input: NewChatSession): Promise<ChatSession> {
    const now = this.now()
    const session: ChatSession = { ...input, lastActivityAt: now, createdAt: now, updatedAt: now }
    this.sessions.set(session.id, session)
    return { ...session }
  }

  async findOwned(id: string, ownerId: string): Promise<ChatSession | null> {
    const s = this.sessions.get(id)
    return s && s.ownerId === ownerId ? { ...s } : null
  }

  async list({ ownerId, q, cursor, limit }: { ownerId: string; q?: string; cursor?: string; limit: number }): Promise<Page<ChatSession>> {
    const after = cursor ? decodeCursor(cursor) : undefined
    const search = q?.trim().toLowerCase()
    const rows = [...this.sessions.values()]
      .filter((s) => s.ownerId === ownerId && (!search || s.title.toLowerCase().includes(search)))
      .filter((s) => !after || s.lastActivityAt.getTime() < after.at || (s.lastActivityAt.getTime() === after.at && s.id < after.id))
      .sort(newestFirst)
    const items = rows.slice(0, limit).map((s) => ({ ...s }))
    const last = items.at(-1)
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null }
  }

  async update(id: string, ownerId: string, changes: ChatSessionChanges): Promise<ChatSession | null> {
    const current = await this.findOwned(id, ownerId)
    if (!current) return null
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined))
    const next: ChatSession = { ...current, ...defined, updatedAt: this.now() }
    this.sessions.set(id, next)
    return { ...next }
  }

  async delete(id: string, ownerId: string): Promise<boolean> {
    if (!(await this.findOwned(id, ownerId))) return false
    this.sessions.delete(id)
    this.messages?.deleteSession(id)
    return true
  }

  async ownerOf(id: string): Promise<string | null> {
    return this.sessions.get(id)?.ownerId ?? null
  }

  async touch(id: string, at: Date): Promise<void> {
    const s = this.sessions.get(id)
    if (s) this.sessions.set(id, { ...s, lastActivityAt: at, updatedAt: this.now() })
  }
}
