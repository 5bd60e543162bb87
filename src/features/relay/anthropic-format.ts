import type { UsableModel } from '../models/model-access.port.ts'
import type { ChatTurn, CompletionRequest, FinishReason, GenerationParams, TokenUsage } from '../providers/ai-provider.port.ts'
import { ValidationFailed } from '../../shared/errors.ts'
import type { RelayCall } from './relay-call.ts'
import { UnsupportedForModel } from './relay.errors.ts'
import { toolInput } from '../providers/content-parts.ts'
import type { AnswerWriter, CollectedAnswer, ToolCallPiece } from './client-format.ts'
import { streamErrorEvent } from './dialect-errors.ts'
import { toAnthropicUsage } from './wire-usage.ts'

/** Anthropic Messages <-> the AiProvider port, for models of another kind (text only). */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function textOf(content: unknown, param: string, kind: string): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) throw new ValidationFailed(`${param}: Input should be a valid string or list of content blocks`, { param })
  return content
    .map((block: unknown, i) => {
      if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') return block.text
      const type = isRecord(block) && typeof block.type === 'string' ? block.type : 'unknown'
      throw new UnsupportedForModel(`Content blocks of type '${type}'`, kind, `${param}.${i}`)
    })
    .join('')
}

const number = (body: Record<string, unknown>, field: string): number | undefined => {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw new ValidationFailed(`${field}: Input should be a valid number`, { param: field })
  return value
}

/** Throws a 400 for what cannot be translated: tools and non-text blocks. */
export function anthropicToCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const kind = config.providerKind
  const body = call.body
  if ((Array.isArray(body.tools) && body.tools.length > 0) || body.tool_choice !== undefined) throw new UnsupportedForModel('Tool definitions', kind, 'tools')
  const messages: ChatTurn[] = (body.messages as unknown[]).map((m, i) => {
    if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new ValidationFailed(`messages.${i}.role: Input should be 'user' or 'assistant'`, { param: `messages.${i}.role` })
    }
    return { role: m.role, content: textOf(m.content, `messages.${i}.content`, kind) }
  })
  const system = body.system === undefined || body.system === null ? undefined : textOf(body.system, 'system', kind)
  const params: GenerationParams = { ...config.defaultParams }
  const temperature = number(body, 'temperature')
  const topP = number(body, 'top_p')
  if (temperature !== undefined) params.temperature = temperature
  if (topP !== undefined) params.topP = topP
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) params.stop = body.stop_sequences.filter((s): s is string => typeof s === 'string')
  if (call.maxOutputTokens !== undefined) params.maxOutputTokens = call.maxOutputTokens
  return {
    provider: kind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    system: system || undefined,
    messages,
    maxOutputTokens: config.maxOutputTokens,
    params,
  }
}

const STOP: Record<FinishReason, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal', error: 'end_turn', other: 'end_turn' }

const messageId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`

export function anthropicMessageJson(call: RelayCall, answer: CollectedAnswer): string {
  const content = [
    ...(answer.text !== '' || answer.toolCalls.length === 0 ? [{ type: 'text', text: answer.text }] : []),
    ...answer.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: toolInput(c.arguments) ?? {} })),
  ]
  return JSON.stringify({
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: call.model,
    content,
    stop_reason: STOP[answer.finish],
    stop_sequence: null,
    usage: toAnthropicUsage(answer.usage),
  })
}

const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

/**
 * Messages stream events. The input token count is only known at the end for other providers, so
 * message_start carries our estimate and message_delta the provider's figures (SDKs take the last).
 * Blocks open as their content arrives: text, then a tool_use block per tool call.
 */
export class AnthropicEventWriter implements AnswerWriter {
  private blocks = 0
  /** What the open block is: a text block, the tool call of this index, or none. */
  private open: { kind: 'text' } | { kind: 'tool'; index: number } | undefined

  constructor(
    private readonly model: string,
    private readonly estimatedInputTokens: number,
  ) {}

  start(): string {
    const message = {
      id: messageId(), type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: this.estimatedInputTokens, output_tokens: 0 },
    }
    return event('message_start', { message })
  }

  private close(): string {
    if (!this.open) return ''
    this.open = undefined
    return event('content_block_stop', { index: this.blocks++ })
  }

  delta(text: string): string {
    let out = ''
    if (this.open?.kind !== 'text') {
      out += this.close()
      this.open = { kind: 'text' }
      out += event('content_block_start', { index: this.blocks, content_block: { type: 'text', text: '' } })
    }
    return out + event('content_block_delta', { index: this.blocks, delta: { type: 'text_delta', text } })
  }

  toolCall(piece: ToolCallPiece): string {
    let out = ''
    if (this.open?.kind !== 'tool' || this.open.index !== piece.index) {
      out += this.close()
      this.open = { kind: 'tool', index: piece.index }
      const block = { type: 'tool_use', id: piece.id ?? `toolu_${piece.index}`, name: piece.name ?? '', input: {} }
      out += event('content_block_start', { index: this.blocks, content_block: block })
    }
    if (piece.argumentsDelta === '') return out
    return out + event('content_block_delta', { index: this.blocks, delta: { type: 'input_json_delta', partial_json: piece.argumentsDelta } })
  }

  end(finish: FinishReason, usage: TokenUsage, comment: string): string {
    // An answer with no content still has its (empty) text block, as Anthropic sends it.
    const empty = this.blocks === 0 && !this.open ? event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) + event('content_block_stop', { index: 0 }) : ''
    return (
      this.close() +
      empty +
      event('message_delta', { delta: { stop_reason: STOP[finish], stop_sequence: null }, usage: toAnthropicUsage(usage) }) +
      comment +
      event('message_stop', {})
    )
  }

  error(err: unknown): string {
    return streamErrorEvent('anthropic', err)
  }
}
