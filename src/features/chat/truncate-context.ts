import { AppError } from '../../shared/errors.ts'
import type { ChatTurn } from '../providers/ai-provider.port.ts'
import type { MessageRole, MessageStatus } from './message.ts'

/** Tokens that prime the model's reply (`<|start|>assistant<|message|>`), counted once per prompt. */
export const REPLY_PRIMING_TOKENS = 3

export interface ContextMessage {
  id: string
  role: MessageRole
  content: string
  status: MessageStatus
  parentId: string | null
  /** The message's prompt cost (text + per-message overhead); null when not counted yet (see countTokens). */
  tokens: number | null
}

export interface TruncateContextInput {
  system: { text: string; tokens: number } | null
  /** Earlier messages, oldest first, without the newest one. */
  history: ContextMessage[]
  newest: { id?: string; content: string; tokens: number }
  contextWindow: number
  outputReserve: number
  primingTokens: number
  /** Counts a history message whose `tokens` is null. Called only for the messages examined. */
  countTokens?: (content: string) => number
}

export interface TruncateContextResult {
  /** What to send, oldest first, ending with the newest user message. */
  turns: ChatTurn[]
  /** System + kept turns + newest + priming; never more than the budget. */
  promptTokens: number
  budget: number
  /** History messages sent, oldest first (the newest message is always sent and not listed). */
  keptMessageIds: string[]
  /**
   * Messages of complete turns left out because the budget ran out, oldest first. Messages that are
   * never sent anyway (unanswered user messages, unfinished replies, superseded siblings) are not listed.
   */
  droppedMessageIds: string[]
  /** Counts made through countTokens, { messageId: tokens }, for the caller to cache. */
  counted: Record<string, number>
}

export class ContextTooLong extends AppError {
  constructor(readonly budget: number, readonly required: number) {
    super(
      'CONTEXT_TOO_LONG',
      `The system prompt and the message need ${required} tokens, but the model leaves room for ${Math.max(0, budget)}. Shorten them or pick a model with a larger context window.`,
      { budget, required },
    )
  }
}

interface Turn {
  user: ContextMessage
  reply: ContextMessage
}

/**
 * A complete turn is a user message and its latest complete, non-empty reply (regenerating makes
 * sibling replies with the same parentId; the latest wins). User messages without one are skipped.
 */
export function completeTurns(history: ContextMessage[]): Turn[] {
  const latestReply = new Map<string, ContextMessage>()
  for (const m of history) {
    if (m.role === 'assistant' && m.status === 'complete' && m.parentId && m.content.trim()) latestReply.set(m.parentId, m)
  }
  const turns: Turn[] = []
  for (const m of history) {
    const reply = m.role === 'user' ? latestReply.get(m.id) : undefined
    if (reply) turns.push({ user: m, reply })
  }
  return turns
}

/**
 * Chooses what fits in the context window: the system prompt and the newest message always, then the
 * most recent complete turns, newest first, stopping at the first that does not fit (never skipping
 * over it to an older one, so the conversation the model sees stays contiguous).
 * Throws ContextTooLong when the system prompt and the newest message alone do not fit.
 */
export function truncateContext(input: TruncateContextInput): TruncateContextResult {
  const budget = input.contextWindow - input.outputReserve
  const required = (input.system?.tokens ?? 0) + input.newest.tokens + input.primingTokens
  if (required > budget) throw new ContextTooLong(budget, required)

  const counted: Record<string, number> = {}
  const cost = (m: ContextMessage): number => {
    if (m.tokens !== null) return m.tokens
    if (!input.countTokens) throw new Error(`truncateContext: message ${m.id} has no token count and no countTokens was given`)
    return (counted[m.id] = input.countTokens(m.content))
  }

  const turns = completeTurns(input.history)
  let used = required
  let firstKept = turns.length
  while (firstKept > 0) {
    const turn = turns[firstKept - 1]!
    const turnTokens = cost(turn.user) + cost(turn.reply)
    if (used + turnTokens > budget) break
    used += turnTokens
    firstKept--
  }

  const kept = turns.slice(firstKept)
  return {
    turns: [
      ...kept.flatMap(({ user, reply }): ChatTurn[] => [
        { role: 'user', content: user.content },
        { role: 'assistant', content: reply.content },
      ]),
      { role: 'user', content: input.newest.content },
    ],
    promptTokens: used,
    budget,
    keptMessageIds: kept.flatMap(({ user, reply }) => [user.id, reply.id]),
    droppedMessageIds: turns.slice(0, firstKept).flatMap(({ user, reply }) => [user.id, reply.id]),
    counted,
  }
}
