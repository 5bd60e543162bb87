import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { NotFound } from '../../shared/errors.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { MessageRepository } from './message.repository.port.ts'
import type { MessageStatus } from './message.ts'
import { ReplyControl } from './reply-control.port.ts'

/** Stops a reply in progress, from any connection of its owner. */
@injectable()
export class StopReply {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyControl) private readonly control: ReplyControl,
  ) {}

  async execute({ actor, messageId }: { actor: Actor; messageId: string }): Promise<{ stopped: boolean; status: MessageStatus }> {
    const message = await this.messages.findById(messageId)
    const session = message && (await this.sessions.findOwned(message.sessionId, actor.userId))
    if (!message || !session || message.role !== 'assistant') throw new NotFound('Reply')
    if (message.status !== 'streaming') return { stopped: false, status: message.status }
    const stopped = await this.control.stop(messageId, actor.userId)
    return { stopped, status: stopped ? 'aborted' : message.status }
  }
}
