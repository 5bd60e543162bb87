import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { ChatSessionNotFound } from './get-session.use-case.ts'

/** Deletes one of the caller's sessions and, with it, all its messages. */
@injectable()
export class DeleteSession {
  constructor(@inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository) {}

  async execute({ actor, sessionId }: { actor: Actor; sessionId: string }): Promise<void> {
    if (!(await this.sessions.delete(sessionId, actor.userId))) throw new ChatSessionNotFound()
  }
}
