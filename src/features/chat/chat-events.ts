import type { MessageStatus, MessageUsage } from './message.ts'

/** What a client sees of a reply, in order: deltas, then usage and done, or an error then done. */
export type ChatEvent =
  | { type: 'delta'; text: string }
  | { type: 'usage'; usage: MessageUsage }
  | { type: 'error'; code: string; message: string; /** Seconds the provider asked to wait (a rate limit). */ retryAfter?: number }
  | {
      type: 'done'
      messageId: string
      status: Exclude<MessageStatus, 'streaming'>
      finishReason: string | null
      usage: MessageUsage
      /** Time spent in our code rather than waiting on the provider, for comparing with a direct call. */
      overheadMs: number
    }

/** The first event of every reply stream: which messages it is about (the ids to stop or resume with). */
export interface ReplyIds {
  sessionId: string
  userMessageId: string
  assistantMessageId: string
}

/** A reply as followers see it: the ids, then the chat events. */
export type ReplyEvent = ({ type: 'message' } & ReplyIds) | ChatEvent
