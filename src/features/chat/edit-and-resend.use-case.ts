import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import type { GenerationParams } from '../providers/ai-provider.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { ReplyInProgress } from './chat.errors.ts'
import { lastUserMessageOf } from './last-user-message.ts'
import { MessageRepository } from './message.repository.port.ts'
import { ReplyStarter, type StartedReply } from './reply-starter.ts'

export interface EditAndResendInput {
  actor: Actor
  messageId: string
  content: string
  params?: GenerationParams
  clientSignal?: AbortSignal
}

/** Replaces the text of the last user message, drops the replies to it, and streams a new one. */
@injectable()
export class EditAndResend {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyStarter) private readonly replies: ReplyStarter,
  ) {}

  async execute(input: EditAndResendInput): Promise<StartedReply> {
    const { session, userMessage, all } = await lastUserMessageOf({ messages: this.messages, sessions: this.sessions }, input.actor, input.messageId, 'edited')
    if (all.some((m) => m.parentId === userMessage.id && m.status === 'streaming')) throw new ReplyInProgress()
    await this.messages.editAndTruncateAfter(userMessage.id, input.content, null)
    const edited = { ...userMessage, content: input.content, tokenCount: null }
    return this.replies.start({
      actor: input.actor,
      session,
      prompt: { content: input.content, existing: edited },
      params: input.params,
      clientSignal: input.clientSignal,
    })
  }
}
