import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { MessageRepository } from './message.repository.port.ts'
import { PROGRESS_INTERVAL_MS } from './reply-streamer.ts'

/** A streaming reply with no saved progress for this long belongs to a process that died. */
export const STALE_AFTER_MS = 30 * PROGRESS_INTERVAL_MS

/**
 * Finalizes replies left `streaming` by a process that was killed, as `interrupted`, keeping the
 * partial text saved so far. With one process (SQLite), every such reply is dead at start-up; with
 * replicas, only stale ones are, since another replica may be streaming the rest.
 */
@injectable()
export class RecoverInterruptedReplies {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** `staleAfterMs` (default STALE_AFTER_MS) is configurable: STREAM_STALE_AFTER_MS. */
  execute({ onlyStale, staleAfterMs = STALE_AFTER_MS }: { onlyStale: boolean; staleAfterMs?: number }): Promise<number> {
    const now = this.clock.now().getTime()
    return this.messages.interruptStreaming(new Date(onlyStale ? now - staleAfterMs : now + 1))
  }
}
