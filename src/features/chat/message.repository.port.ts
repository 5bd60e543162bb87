import { token } from '../../shared/di.ts'
import type { Page } from './chat-session.repository.port.ts'
import type { Message, MessageFinal, NewMessage } from './message.ts'

export interface MessageRepository {
  append(message: NewMessage): Promise<Message>
  findById(id: string): Promise<Message | null>
  /** Every message of the session in order (oldest first), for building the prompt. */
  listAll(sessionId: string): Promise<Message[]>
  /** Oldest first, by cursor. */
  page(sessionId: string, query: { cursor?: string; limit: number }): Promise<Page<Message>>
  /** Stores the partial text of a reply still streaming (ignored once it is final). */
  saveProgress(id: string, content: string): Promise<void>
  /** Finalizes a streaming reply exactly once: true for the call that did it, false if it was already final. */
  finalize(id: string, final: MessageFinal): Promise<boolean>
  /** Caches token counts computed for truncation: { messageId: count }. */
  saveTokenCounts(counts: Record<string, number>): Promise<void>
  /** Replaces a user message's text (edit-and-resend) and deletes every message after it. */
  editAndTruncateAfter(id: string, content: string, tokenCount: number | null): Promise<void>
  /**
   * Crash recovery: replies still `streaming` whose last progress is older than `updatedBefore`
   * become `interrupted`, keeping their partial text. Live streams save progress at least every
   * few seconds, so a stale one belongs to a process that died. Returns the replies it finalized
   * (each by this call only, also when replicas recover at once).
   */
  interruptStreaming(updatedBefore: Date): Promise<Message[]>
}
export const MessageRepository = token<MessageRepository>('MessageRepository')
