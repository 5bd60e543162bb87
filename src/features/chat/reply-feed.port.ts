import { token } from '../../shared/di.ts'
import type { FeedEntry, ReplyPosition, ReplyRun } from './reply-run.ts'

/** What the feed needs of a reply generated here, and tells it back. */
export interface HostedReply {
  /** Each new entry (followers elsewhere read them). */
  onEntry?(entry: FeedEntry): void
  /** Milliseconds since a follower on another replica last said it was there (Infinity: never). */
  followedElsewhereAgo?(): number
  /** The reply ended: its last entries are flushed and kept for `retainMs`. */
  ended(retainMs: number): void
}

/**
 * Lets a reply generated on one replica be followed from another (Redis Streams). In one process
 * there is nothing to share: every follower reads the ReplyRun itself.
 */
export interface ReplyFeed {
  /** A reply starts generating in this process. */
  host(run: ReplyRun): HostedReply
  /** Follows a reply generated on another replica, after `from`; null when no replica has it. */
  followElsewhere(messageId: string, from: ReplyPosition, signal: AbortSignal): Promise<AsyncIterable<FeedEntry[]> | null>
}
export const ReplyFeed = token<ReplyFeed>('ReplyFeed')

/** CHAT_RESUME_GRACE_S and CHAT_RESUME_MAX_EVENTS. */
export interface ReplyResumeOptions {
  graceMs: number
  maxEvents: number
}
export const ReplyResumeOptions = token<ReplyResumeOptions>('ReplyResumeOptions')
