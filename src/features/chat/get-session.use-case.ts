import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { NotFound } from '../../shared/errors.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import type { ChatSession } from './chat-session.ts'

/** Another user's session reads as not found, never forbidden (no existence leak). */
export class ChatSessionNotFound extends NotFound {
  constructor() {
    super('Chat session')
  }
}

@injectable()
export class GetSession {
  constructor(@inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository) {}

  async execute({ actor, sessionId }: { actor: Actor; sessionId: string }): Promise<ChatSession> {
    const session = await this.sessions.findOwned(sessionId, actor.userId)
    if (!session) throw new ChatSessionNotFound()
    return session
  }
}
