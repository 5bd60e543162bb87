import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { AppError } from '../../shared/errors.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { ModelAccess } from '../models/model-access.port.ts'
import type { GenerationParams } from '../providers/ai-provider.port.ts'
import { SystemSettingsReader } from '../settings/system-settings-reader.port.ts'
import { UsageGate } from '../usage/usage-gate.port.ts'
import { TruncateContext } from './build-prompt.use-case.ts'
import type { ChatEvent } from './chat-events.ts'
import { ChatSessionRepository } from './chat-session.repository.port.ts'
import { deriveTitle, UNTITLED, type ChatSession } from './chat-session.ts'
import { MessageTooLong, NoModelSelected, ReplyInProgress } from './chat.errors.ts'
import { MessageRepository } from './message.repository.port.ts'
import type { Message } from './message.ts'
import { ReplyStreamer } from './reply-streamer.ts'
import { TokenCounter } from './token-counter.port.ts'

export interface StartReplyInput {
  actor: Actor
  session: ChatSession
  /** The user message to answer: new text to store, or an existing message (regenerate, edit). */
  prompt: { content: string; existing?: Message }
  params?: GenerationParams
  clientSignal?: AbortSignal
}

export interface StartedReply {
  session: ChatSession
  userMessage: Message
  assistantMessage: Message
  /** Lazy: the provider is called when this is iterated. Iterate it to the end. */
  events: AsyncGenerator<ChatEvent>
}

/**
 * Everything SendMessage, RegenerateReply and EditAndResend share. Every check (model access,
 * size, context budget, quota) runs and both messages are stored BEFORE the stream is returned,
 * so failures up to here are ordinary HTTP errors.
 */
@injectable()
export class ReplyStarter {
  constructor(
    @inject(ModelAccess) private readonly models: ModelAccess,
    @inject(TruncateContext) private readonly truncate: TruncateContext,
    @inject(UsageGate) private readonly gate: UsageGate,
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(ChatSessionRepository) private readonly sessions: ChatSessionRepository,
    @inject(TokenCounter) private readonly tokens: TokenCounter,
    @inject(SystemSettingsReader) private readonly settings: SystemSettingsReader,
    @inject(ReplyStreamer) private readonly streamer: ReplyStreamer,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(Metrics) private readonly metrics: Metrics,
  ) {}

  async start({ actor, session, prompt, params = {}, clientSignal }: StartReplyInput): Promise<StartedReply> {
    if (!session.modelConfigId) throw new NoModelSelected()
    const { maxMessageChars, defaultContextBudget } = await this.settings.all()
    if ([...prompt.content].length > maxMessageChars) throw new MessageTooLong(maxMessageChars)
    const model = await this.models.resolveForUse(actor, session.modelConfigId, { stickyKey: session.id })
    const { config } = model

    const contextWindow = Math.min(config.contextWindow, defaultContextBudget ?? Number.POSITIVE_INFINITY)
    const plan = (budgetOverride?: number) =>
      this.truncate.execute({
        sessionId: session.id,
        system: session.systemPrompt,
        newest: { id: prompt.existing?.id, content: prompt.content },
        model: config.modelId,
        contextWindow,
        maxOutputTokens: config.maxOutputTokens,
        budgetOverride,
      })
    const firstPlan = await plan()
    // Regenerate and edit check their own user message; a new message must wait for any reply in the chat.
    if (!prompt.existing && firstPlan.replyInFlight) throw new ReplyInProgress()
    const admission = await this.gate
      .admit({
        actor,
        modelConfigId: config.id,
        modelId: config.modelId,
        source: 'chat',
        estimatedInputTokens: firstPlan.promptTokens,
        maxOutputTokens: config.maxOutputTokens,
      })
      .catch((err: unknown) => {
        if (err instanceof AppError) this.metrics.quotaRejected('chat', err.code)
        throw err
      })

    try {
      const userMessage = prompt.existing ?? (await this.storeUserMessage(session, prompt.content, config.modelId))
      const assistantMessage = await this.messages.append({
        id: this.ids.next(),
        sessionId: session.id,
        parentId: userMessage.id,
        role: 'assistant',
        content: '',
        status: 'streaming',
        modelConfigId: config.id,
        tokenCount: null,
        promptTokens: firstPlan.promptTokens,
      })
      const touched = await this.markActivity(session, prompt.content)
      const events = this.streamer.stream({
        actor,
        assistantMessageId: assistantMessage.id,
        sessionId: session.id,
        model,
        system: session.systemPrompt,
        prompt: firstPlan,
        params,
        rebuildPrompt: (budget) => plan(budget),
        admission,
        clientSignal,
      })
      return { session: touched, userMessage, assistantMessage, events }
    } catch (err) {
      await admission.settle({ inputTokens: 0, outputTokens: 0 })
      throw err
    }
  }

  private storeUserMessage(session: ChatSession, content: string, model: string): Promise<Message> {
    return this.messages.append({
      id: this.ids.next(),
      sessionId: session.id,
      parentId: null,
      role: 'user',
      content,
      status: 'complete',
      modelConfigId: null,
      tokenCount: this.tokens.countMessage(content, model),
    })
  }

  /** Orders the session list by activity, and names an untitled chat after its first message. */
  private async markActivity(session: ChatSession, content: string): Promise<ChatSession> {
    await this.sessions.touch(session.id, this.clock.now())
    if (session.title !== UNTITLED) return session
    return (await this.sessions.update(session.id, session.ownerId, { title: deriveTitle(content) })) ?? session
  }
}
