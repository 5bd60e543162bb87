import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ChatSessionRepository, type Page } from './chat-session.repository.port.ts'
import type { ChatSession } from './chat-session.ts'

export interface ListSessionsInput {
  actor: Actor
  cursor?: string
  limit: number
  /** Title search, case-insensitive. */
  q?: string
}

/** The caller's own sessions, newest activity first (admins too see only their own). */
@injectable()
export class ListSessions {
  constructor(@inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository) {}

  execute({ actor, cursor, limit, q }: ListSessionsInput): Promise<Page<ChatSession>> {
    return this.sessions.list({ ownerId: actor.userId, cursor, limit, q: q?.trim() || undefined })
  }
}
