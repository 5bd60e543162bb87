import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ChatSessionRepository, type Page } from './chat-session.repository.port.ts'
import { ChatSessionNotFound } from './get-session.use-case.ts'
import { MessageRepository } from './message.repository.port.ts'
import type { Message } from './message.ts'

export interface ListMessagesInput {
  actor: Actor
  sessionId: string
  cursor?: string
  limit: number
}

/** A session's messages, oldest first (regenerated replies included: the client groups siblings by parentId). */
@injectable()
export class ListMessages {
  constructor(
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(MessageRepository) private readonly messages: MessageRepository,
  ) {}

  async execute({ actor, sessionId, cursor, limit }: ListMessagesInput): Promise<Page<Message>> {
    if (!(await this.sessions.findOwned(sessionId, actor.userId))) throw new ChatSessionNotFound()
    return this.messages.page(sessionId, { cursor, limit })
  }
}
