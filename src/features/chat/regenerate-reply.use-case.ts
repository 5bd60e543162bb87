import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import type { GenerationParams } from '../providers/ai-provider.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { ReplyInProgress } from './chat.errors.ts'
import { lastUserMessageOf } from './last-user-message.ts'
import { MessageRepository } from './message.repository.port.ts'
import { ReplyStarter, type StartedReply } from './reply-starter.ts'

/** A new reply to the last user message; earlier replies stay as siblings. */
@injectable()
export class RegenerateReply {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyStarter) private readonly replies: ReplyStarter,
  ) {}

  async execute(input: { actor: Actor; messageId: string; params?: GenerationParams; clientSignal?: AbortSignal }): Promise<StartedReply> {
    const { session, userMessage, all } = await lastUserMessageOf({ messages: this.messages, sessions: this.sessions }, input.actor, input.messageId, 'regenerated')
    if (all.some((m) => m.parentId === userMessage.id && m.status === 'streaming')) throw new ReplyInProgress()
    return this.replies.start({
      actor: input.actor,
      session,
      prompt: { content: userMessage.content, existing: userMessage },
      params: input.params,
      clientSignal: input.clientSignal,
    })
  }
}
