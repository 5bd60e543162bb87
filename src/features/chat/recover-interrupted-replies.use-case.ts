import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { ModelConfigRepository } from '../models/model-config.repository.port.ts'
import { UsageRecorder } from '../usage/usage-recorder.port.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import type { Message } from './message.ts'
import { MessageRepository } from './message.repository.port.ts'
import { PROGRESS_INTERVAL_MS } from './reply-streamer.ts'
import { TokenCounter } from './token-counter.port.ts'

/** A streaming reply with no saved progress for this long belongs to a process that died. */
export const STALE_AFTER_MS = 30 * PROGRESS_INTERVAL_MS

/**
 * Finalizes replies left `streaming` by a process that was killed, as `interrupted`, keeping the
 * partial text saved so far, and records their usage (the stored prompt estimate, the partial
 * text counted) so that usage reports and quotas see what was streamed. With one process (SQLite),
 * every such reply is dead at start-up; with replicas, only stale ones are, since another replica
 * may be streaming the rest.
 */
@injectable()
export class RecoverInterruptedReplies {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(ModelConfigRepository) private readonly models: ModelConfigRepository,
    @inject(TokenCounter) private readonly counter: TokenCounter,
    @inject(UsageRecorder) private readonly usage: UsageRecorder,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** `staleAfterMs` (default STALE_AFTER_MS) is configurable: STREAM_STALE_AFTER_MS. */
  async execute({ onlyStale, staleAfterMs = STALE_AFTER_MS }: { onlyStale: boolean; staleAfterMs?: number }): Promise<number> {
    const now = this.clock.now().getTime()
    const interrupted = await this.messages.interruptStreaming(new Date(onlyStale ? now - staleAfterMs : now + 1))
    for (const reply of interrupted) await this.recordUsage(reply)
    await this.usage.flush()
    return interrupted.length
  }

  private async recordUsage(reply: Message): Promise<void> {
    const [userId, config] = await Promise.all([this.sessions.ownerOf(reply.sessionId), reply.modelConfigId ? this.models.findById(reply.modelConfigId) : null])
    if (!userId || !config) return
    const outputTokens = reply.content ? this.counter.count(reply.content, config.modelId) : 0
    const inputTokens = reply.usage.inputTokens ?? 0
    if (inputTokens === 0 && outputTokens === 0) return
    this.usage.record({
      userId,
      apiKeyId: null,
      modelConfigId: config.id,
      modelId: config.modelId,
      provider: config.providerKind,
      source: 'chat',
      inputTokens,
      outputTokens,
      cachedTokens: 0,
      reasoningTokens: 0,
      estimated: true,
      latencyMs: Math.max(0, reply.updatedAt.getTime() - reply.createdAt.getTime()),
      ttftMs: null,
      status: 'interrupted',
      at: this.clock.now(),
    })
  }
}
