import { token } from '../../shared/di.ts'

/**
 * Running replies, so that a stop request from any connection (or, with Redis, any replica)
 * reaches the stream that serves it, and shutdown can stop them all.
 */
export interface ReplyControl {
  /** Registers a running reply; the returned function unregisters it. */
  register(messageId: string, ownerId: string, stop: () => void): () => void
  /** Asks the reply to stop wherever it runs. True when a running reply took the request. */
  stop(messageId: string, ownerId: string): Promise<boolean>
  /** Stops every reply running in this process; returns how many. */
  stopAllLocal(): number
  /** How many replies run in this process. */
  runningLocal(): number
}
export const ReplyControl = token<ReplyControl>('ReplyControl')
