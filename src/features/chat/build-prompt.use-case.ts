import { inject, injectable } from 'tsyringe'
import { MessageRepository } from './message.repository.port.ts'
import type { Message } from './message.ts'
import { TokenCounter } from './token-counter.port.ts'
import { REPLY_PRIMING_TOKENS, truncateContext, type ContextMessage, type TruncateContextResult } from './truncate-context.ts'

export interface BuildPromptInput {
  sessionId: string
  system: string | null
  /** The user message to answer; `id` when it is already stored (it and everything after it are left out of the history). */
  newest: { id?: string; content: string }
  /** The provider's model name (picks the tokenizer). */
  model: string
  contextWindow: number
  maxOutputTokens: number
  /** A tighter prompt budget, for a retry after the provider still reported a context-length error. */
  budgetOverride?: number
}

export interface BuiltPrompt extends TruncateContextResult {
  /** The history holds a reply still streaming: a prompt built now would leave that exchange out. */
  replyInFlight: boolean
}

/**
 * Room kept free besides the output: our counts are exact for OpenAI models only (and the cached count
 * may come from another model's tokenizer after a model switch), so keep 2% of the window, at least 64.
 */
export const safetyMarginFor = (contextWindow: number): number => Math.max(64, Math.ceil(contextWindow * 0.02))

/**
 * The design card's TruncateContext: loads the session's history, counts what is not counted yet
 * (only the messages examined, and caches those counts) and chooses what fits in the context window.
 */
@injectable()
export class TruncateContext {
  constructor(
    @inject(MessageRepository) private readonly messages: MessageRepository,
    @inject(TokenCounter) private readonly counter: TokenCounter,
  ) {}

  async execute(input: BuildPromptInput): Promise<BuiltPrompt> {
    const { model } = input
    const all = await this.messages.listAll(input.sessionId)
    const history = historyBefore(all, input.newest.id)
    const result = truncateContext({
      system: input.system ? { text: input.system, tokens: this.counter.countMessage(input.system, model) } : null,
      history: history.map(toContextMessage),
      newest: { ...input.newest, tokens: this.counter.countMessage(input.newest.content, model) },
      contextWindow: input.contextWindow,
      outputReserve: this.outputReserve(input),
      primingTokens: REPLY_PRIMING_TOKENS,
      countTokens: (content) => this.counter.countMessage(content, model),
    })
    if (Object.keys(result.counted).length > 0) await this.messages.saveTokenCounts(result.counted)
    return { ...result, replyInFlight: history.some((m) => m.status === 'streaming') }
  }

  private outputReserve({ contextWindow, maxOutputTokens, budgetOverride }: BuildPromptInput): number {
    const reserve = maxOutputTokens + safetyMarginFor(contextWindow)
    // An override can only tighten the budget (budget = contextWindow - reserve).
    return budgetOverride === undefined ? reserve : Math.max(reserve, contextWindow - budgetOverride)
  }
}

/** The messages before the newest one when it is stored (a regenerate or an edit), else all of them. */
function historyBefore(all: Message[], newestId: string | undefined): Message[] {
  const at = newestId === undefined ? -1 : all.findIndex((m) => m.id === newestId)
  return at === -1 ? all : all.slice(0, at)
}

const toContextMessage = (m: Message): ContextMessage => ({
  id: m.id,
  role: m.role,
  content: m.content,
  status: m.status,
  parentId: m.parentId,
  // A reply still streaming has no stable count; it is never sent anyway.
  tokens: m.status === 'streaming' ? 0 : m.tokenCount,
})
