import { token } from '../../shared/di.ts'
import type { ChatSession, ChatSessionChanges, NewChatSession } from './chat-session.ts'

export interface Page<T> {
  items: T[]
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null
}

export interface ChatSessionRepository {
  create(session: NewChatSession): Promise<ChatSession>
  /** Null when it does not exist or belongs to someone else (callers answer 404 either way). */
  findOwned(id: string, ownerId: string): Promise<ChatSession | null>
  /** Newest activity first; `q` matches titles case-insensitively. */
  list(query: { ownerId: string; q?: string; cursor?: string; limit: number }): Promise<Page<ChatSession>>
  /** Null when not found or not owned. */
  update(id: string, ownerId: string, changes: ChatSessionChanges): Promise<ChatSession | null>
  /** Deletes the session and its messages; false when not found or not owned. */
  delete(id: string, ownerId: string): Promise<boolean>
  /** Marks activity (a message was sent), which orders the session list. */
  touch(id: string, at: Date): Promise<void>
  /** The owner of a session, for system work (crash recovery); null when it is gone. */
  ownerOf(id: string): Promise<string | null>
}
export const ChatSessionRepository = token<ChatSessionRepository>('ChatSessionRepository')
