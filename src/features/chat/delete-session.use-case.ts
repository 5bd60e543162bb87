import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { ChatSessionNotFound } from './get-session.use-case.ts'
import { ReplyControl } from './reply-control.port.ts'

/** Deletes one of the caller's sessions and, with it, all its messages; replies still streaming in it stop. */
@injectable()
export class DeleteSession {
  constructor(
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyControl) private readonly replies: ReplyControl,
  ) {}

  async execute({ actor, sessionId }: { actor: Actor; sessionId: string }): Promise<void> {
    // Scoped by owner: a foreign session id stops nothing (and is a 404 below).
    await this.replies.stopAll({ ownerId: actor.userId, sessionId }, 'deleted')
    if (!(await this.sessions.delete(sessionId, actor.userId))) throw new ChatSessionNotFound()
  }
}
