import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { NotFound } from '../../shared/errors.ts'
import type { GenerationParams } from '../providers/ai-provider.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { ReplyStarter, type StartedReply } from './reply-starter.ts'

export interface SendMessageInput {
  actor: Actor
  sessionId: string
  content: string
  params?: GenerationParams
  clientSignal?: AbortSignal
}

/** The user writes in a chat; the reply streams back (see ReplyStarter for the checks). */
@injectable()
export class SendMessage {
  constructor(
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyStarter) private readonly replies: ReplyStarter,
  ) {}

  async execute({ actor, sessionId, content, params, clientSignal }: SendMessageInput): Promise<StartedReply> {
    const session = await this.sessions.findOwned(sessionId, actor.userId)
    if (!session) throw new NotFound('Chat session')
    return this.replies.start({ actor, session, prompt: { content }, params, clientSignal })
  }
}
