import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import type { Actor } from '../../shared/actor.ts'
import { AppError } from '../../shared/errors.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import type { UsableModel } from '../models/model-access.port.ts'
import { restrictedOutbound } from '../models/model-config.ts'
import { AiProvider, ProviderError, type ChatTurn, type GenerationParams, type TokenUsage } from '../providers/ai-provider.port.ts'
import { streamWithFailover } from '../providers/failover.ts'
import { UpstreamBudget } from '../providers/upstream-budget.ts'
import type { Admission } from '../usage/usage-gate.port.ts'
import { UsageRecorder } from '../usage/usage-recorder.port.ts'
import type { ChatEvent } from './chat-events.ts'
import { MessageRepository } from './message.repository.port.ts'
import type { MessageFinal, MessageUsage } from './message.ts'
import { ReplyControl, type StopReason } from './reply-control.port.ts'
import { TokenCounter } from './token-counter.port.ts'

export interface PromptPlan {
  turns: ChatTurn[]
  promptTokens: number
}

export interface ReplyJob {
  actor: Actor
  assistantMessageId: string
  sessionId: string
  model: UsableModel
  system: string | null
  prompt: PromptPlan
  params: GenerationParams
  /** Builds the prompt again within a tighter budget, after the provider said the context is too long. */
  rebuildPrompt(budget: number): Promise<PromptPlan>
  admission: Admission
  /** Aborted when nobody followed the reply for the resume grace period (see ReplyRuns). */
  clientSignal?: AbortSignal
}

/** Told to a client whose chat (or user) was deleted while the reply streamed: the message no longer exists. */
const REPLY_DELETED: ChatEvent = { type: 'error', code: 'NOT_FOUND', message: 'The chat was deleted; its reply was stopped' }

/** How often the partial text is saved while streaming: a crash loses at most this much. */
export const PROGRESS_INTERVAL_MS = 1000

interface Progress {
  startedAt: number
  text: string
  usage: TokenUsage
  finishReason: string | null
  firstTokenAt: number | null
  providerMs: number
}

/**
 * Streams one assistant reply from the provider to the caller and into the database. Whatever
 * happens (completion, stop, client gone, provider failure, even the consumer abandoning the
 * iterator) the message is finalized exactly once with its text so far.
 */
@injectable()
export class ReplyStreamer {
  constructor(
    @inject(AiProvider) private readonly provider: AiProvider,
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ReplyControl) private readonly control: ReplyControl,
    @inject(TokenCounter) private readonly tokens: TokenCounter,
    @inject(UsageRecorder) private readonly usage: UsageRecorder,
    @inject(Log) private readonly log: Logger,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  private nowMs(): number {
    return this.clock.now().getTime()
  }

  async *stream(job: ReplyJob): AsyncGenerator<ChatEvent> {
    const started = performance.now()
    const closeMetric = this.metrics.streamOpened('chat')
    const stop = new AbortController()
    const signal = job.clientSignal ? AbortSignal.any([stop.signal, job.clientSignal]) : stop.signal
    const unregister = this.control.register(job.assistantMessageId, { ownerId: job.actor.userId, sessionId: job.sessionId }, (reason) => stop.abort(reason))
    const progress: Progress = { startedAt: this.nowMs(), text: '', usage: {}, finishReason: null, firstTokenAt: null, providerMs: 0 }
    const saver = setInterval(() => {
      this.messages.saveProgress(job.assistantMessageId, progress.text).catch((err) => this.log.warn({ err }, 'could not save reply progress'))
    }, PROGRESS_INTERVAL_MS)
    let final: MessageFinal | undefined

    try {
      let failure: AppError | undefined
      try {
        yield* this.relay(job, signal, progress)
      } catch (err) {
        if (!signal.aborted) {
          failure = toAppError(err)
          if (!(err instanceof AppError)) this.log.error({ err }, 'reply failed unexpectedly')
        }
      }
      const status = failure ? 'error' : signal.aborted ? 'aborted' : 'complete'
      final = await this.finalize(job, progress, status, failure)
      if (failure) yield { type: 'error', code: failure.code, message: failure.message, ...(failure.retryAfter === undefined ? {} : { retryAfter: failure.retryAfter }) }
      else if ((stop.signal.reason as StopReason | undefined) === 'deleted') yield REPLY_DELETED
      else yield { type: 'usage', usage: final.usage }
      const overheadMs = Math.max(0, Math.round(performance.now() - started - progress.providerMs))
      this.report(job, progress, final, failure, overheadMs)
      yield { type: 'done', messageId: job.assistantMessageId, status: final.status, finishReason: final.finishReason, usage: final.usage, overheadMs }
    } finally {
      closeMetric()
      clearInterval(saver)
      unregister()
      // The consumer left early (returned from the iterator): still finalize, as aborted.
      if (!final) await this.finalize(job, progress, 'aborted').catch((err) => this.log.error({ err }, 'could not finalize reply'))
    }
  }

  private async *relay(job: ReplyJob, signal: AbortSignal, progress: Progress): AsyncGenerator<ChatEvent> {
    const { config, apiKey } = job.model
    let prompt = job.prompt
    // One budget for the reply: the tighter-prompt retry below shares its attempts and deadline.
    const upstreamBudget = new UpstreamBudget()
    for (let attempt = 1; ; attempt++) {
      try {
        const request = {
          provider: config.providerKind,
          baseUrl: config.baseUrl,
          apiKey,
          model: config.modelId,
          system: job.system ?? undefined,
          messages: prompt.turns,
          maxOutputTokens: config.maxOutputTokens,
          params: { ...config.defaultParams, ...job.params },
          restricted: restrictedOutbound(config),
          signal,
          budget: upstreamBudget,
        }
        let waitStarted = performance.now()
        for await (const event of streamWithFailover(this.provider, request, job.model)) {
          progress.providerMs += performance.now() - waitStarted
          if (event.type === 'delta') {
            progress.firstTokenAt ??= this.nowMs()
            progress.text += event.text
            yield { type: 'delta', text: event.text }
          } else if (event.type === 'usage') progress.usage = event.usage
          else if (event.type === 'finish') progress.finishReason = event.reason
          waitStarted = performance.now()
        }
        return
      } catch (err) {
        // One retry with a tighter budget, only if nothing reached the client yet.
        const tooLong = err instanceof ProviderError && err.code === 'CONTEXT_TOO_LONG'
        if (!tooLong || attempt > 1 || progress.text !== '' || signal.aborted || !upstreamBudget.left) throw err
        // If even the newest message cannot fit the tighter budget, the provider's own error says it best.
        prompt = await job.rebuildPrompt(tighterBudget(prompt.promptTokens, err.context)).catch(() => {
          throw err
        })
      }
    }
  }

  private report(job: ReplyJob, progress: Progress, final: MessageFinal, failure: AppError | undefined, overheadMs: number): void {
    const { providerKind: provider, modelId: model } = job.model.config
    const status = failure instanceof ProviderError ? String(failure.status) : final.status === 'aborted' ? 'aborted' : '200'
    this.metrics.upstreamCall({ provider, model, status }, this.nowMs() - progress.startedAt)
    if (progress.firstTokenAt !== null) this.metrics.timeToFirstToken('chat', provider, model, progress.firstTokenAt - progress.startedAt)
    this.metrics.overhead('chat', overheadMs)
    this.metrics.tokens(provider, model, 'in', final.usage.inputTokens ?? 0)
    this.metrics.tokens(provider, model, 'out', final.usage.outputTokens ?? 0)
  }

  private async finalize(job: ReplyJob, progress: Progress, status: MessageFinal['status'], failure?: AppError): Promise<MessageFinal> {
    const { config } = job.model
    const reported = progress.usage
    const usage: MessageUsage = {
      inputTokens: reported.inputTokens ?? job.prompt.promptTokens,
      outputTokens: reported.outputTokens ?? this.tokens.count(progress.text, config.modelId),
      cachedTokens: reported.cachedTokens ?? null,
      reasoningTokens: reported.reasoningTokens ?? null,
      estimated: reported.inputTokens === undefined || reported.outputTokens === undefined,
    }
    const final: MessageFinal = {
      status,
      content: progress.text,
      finishReason: progress.finishReason ?? (status === 'complete' ? 'stop' : null),
      usage,
      tokenCount: progress.text ? this.tokens.countMessage(progress.text, config.modelId) : null,
      errorCode: failure?.code ?? null,
      errorMessage: failure?.message ?? null,
    }
    const finalizedHere = await this.messages.finalize(job.assistantMessageId, final)
    // Settle even if the row was finalized elsewhere (a crash sweep), or the stream slot stays held.
    await job.admission.settle({ inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 })
    if (!finalizedHere) return final
    this.usage.record({
      userId: job.actor.userId,
      apiKeyId: null,
      modelConfigId: config.id,
      modelId: config.modelId,
      provider: config.providerKind,
      source: 'chat',
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      cachedTokens: usage.cachedTokens ?? 0,
      reasoningTokens: usage.reasoningTokens ?? 0,
      estimated: usage.estimated,
      latencyMs: this.nowMs() - progress.startedAt,
      ttftMs: progress.firstTokenAt === null ? null : progress.firstTokenAt - progress.startedAt,
      status,
      at: this.clock.now(),
    })
    return final
  }
}

/**
 * Our count disagreed with the provider's tokenizer. Scale our budget by the ratio the provider
 * reported (limit / requested), or by 3/4 when it gave no numbers, with 10% to spare.
 */
export function tighterBudget(promptTokens: number, context?: { limit: number; requested: number }): number {
  const ratio = context && context.requested > 0 ? Math.min(1, context.limit / context.requested) : 0.75
  return Math.max(1, Math.floor(promptTokens * ratio * 0.9))
}

function toAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError('PROVIDER_ERROR', 'The reply failed unexpectedly')
}
