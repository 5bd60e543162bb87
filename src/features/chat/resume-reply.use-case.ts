import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { NotFound, ValidationFailed } from '../../shared/errors.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { MessageRepository } from './message.repository.port.ts'
import type { Message } from './message.ts'
import { ReplyFeed } from './reply-feed.port.ts'
import { parseEventId, START, unseen, type FeedEntry, type ReplyPosition } from './reply-run.ts'
import { ReplyRuns } from './reply-runs.ts'

export interface ResumeReplyInput {
  actor: Actor
  messageId: string
  /** The id of the last event the client has (Last-Event-ID or ?after=); none: from the start. */
  after?: string
  /** Aborted when the client goes away. */
  signal: AbortSignal
}

/**
 * The rest of a reply after the client's last event: live from wherever it is generated (this
 * process, or another replica through the feed), or from the stored message once it has ended.
 */
@injectable()
export class ResumeReply {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ReplyRuns) private readonly runs: ReplyRuns,
    @inject(ReplyFeed) private readonly feed: ReplyFeed,
  ) {}

  async execute({ actor, messageId, after, signal }: ResumeReplyInput): Promise<AsyncIterable<FeedEntry[]> | Iterable<FeedEntry[]>> {
    const message = await this.messages.findById(messageId)
    const session = message && (await this.sessions.findOwned(message.sessionId, actor.userId))
    if (!message || !session || message.role !== 'assistant') throw new NotFound('Reply')
    const from = positionOf(after, messageId)
    if (message.status === 'streaming') {
      const local = this.runs.local(messageId)
      if (local) {
        if (local.isAhead(from)) throw beyondTheReply()
        return local.follow(from, signal)
      }
      const elsewhere = await this.feed.followElsewhere(messageId, from, signal)
      if (elsewhere) return elsewhere
    }
    // Ended (or its process is gone): what is stored is the reply.
    const stored = message.status === 'streaming' ? ((await this.messages.findById(messageId)) ?? message) : message
    if (from.chars > stored.content.length) throw beyondTheReply()
    return [storedEntries(stored, from)]
  }
}

function positionOf(after: string | undefined, messageId: string): ReplyPosition {
  if (after === undefined || after === '') return START
  const parsed = parseEventId(after)
  if (!parsed) throw new ValidationFailed('Last-Event-ID is not an event id of this API', [{ location: 'header', path: 'last-event-id', message: 'expected <messageId>:<seq>:<chars>' }])
  if (parsed.messageId !== messageId) {
    throw new ValidationFailed('Last-Event-ID belongs to another message', [{ location: 'header', path: 'last-event-id', message: 'not an event of this reply' }])
  }
  return parsed.position
}

const beyondTheReply = () =>
  new ValidationFailed('Last-Event-ID is past the end of this reply', [{ location: 'header', path: 'last-event-id', message: 'no such event in this reply' }])

/**
 * A stored reply as the events a client lacks: the ids (unless it has them), the text after the
 * client's, and the ending. Positions continue after the client's, so its next resume works too.
 */
export function storedEntries(message: Message, from: ReplyPosition): FeedEntry[] {
  const entries: FeedEntry[] = []
  let seq = from.seq
  const push = (event: FeedEntry['event'], chars = from.chars) => entries.push({ seq: ++seq, chars, event })
  if (from.seq === 0) push({ type: 'message', sessionId: message.sessionId, userMessageId: message.parentId ?? '', assistantMessageId: message.id })
  if (message.content.length > from.chars) push({ type: 'delta', text: message.content }, message.content.length)
  const status = message.status === 'streaming' ? 'interrupted' : message.status
  if (message.status === 'streaming') push({ type: 'error', code: 'PROVIDER_UNAVAILABLE', message: 'The reply was cut off: the server generating it stopped' }, message.content.length)
  else if (message.errorCode) push({ type: 'error', code: message.errorCode, message: message.errorMessage ?? 'The reply failed' }, message.content.length)
  else if (status === 'complete') push({ type: 'usage', usage: message.usage }, message.content.length)
  push({ type: 'done', messageId: message.id, status, finishReason: message.finishReason, usage: message.usage, overheadMs: 0 }, message.content.length)
  // The text entry starts at 0: cut to what the client lacks, like any merged delta.
  return unseen(entries, from)
}
