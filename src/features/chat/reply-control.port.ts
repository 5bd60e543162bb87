import { token } from '../../shared/di.ts'

/** Why a reply was stopped: the client reads `deleted` as an error (its message is gone), the rest as `aborted`. */
export type StopReason = 'stopped' | 'deleted' | 'abandoned' | 'shutdown'

/** Whose a running reply is, so that deleting a chat or a user stops every reply in it. */
export interface ReplyScope {
  ownerId: string
  sessionId?: string
}

/**
 * Running replies, so that a stop request from any connection (or, with Redis, any replica)
 * reaches the stream that serves it, and shutdown can stop them all.
 */
export interface ReplyControl {
  /** Registers a running reply; the returned function unregisters it. */
  register(messageId: string, scope: ReplyScope, stop: (reason: StopReason) => void): () => void
  /** Asks the reply to stop wherever it runs. True when a running reply took the request. */
  stop(messageId: string, ownerId: string, reason?: StopReason): Promise<boolean>
  /** Stops every reply of the owner (of one session, when given) wherever it runs; resolves once asked everywhere. */
  stopAll(scope: ReplyScope, reason: StopReason): Promise<void>
  /** Stops every reply running in this process; returns how many. */
  stopAllLocal(reason?: StopReason): number
  /** How many replies run in this process. */
  runningLocal(): number
}
export const ReplyControl = token<ReplyControl>('ReplyControl')
