import type { FinishReason, TokenUsage } from '../providers/ai-provider.port.ts'
import type { RelayCall } from './relay-call.ts'
import { toolInput } from '../providers/content-parts.ts'
import type { AnswerWriter, CollectedAnswer, ToolCallPiece } from './client-format.ts'
import { streamErrorEvent } from './dialect-errors.ts'
import { toAnthropicUsage } from './wire-usage.ts'

/** Anthropic Messages <-> the AiProvider port, answers of models of another kind, in the client's format (requests: *-request.ts). */

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
