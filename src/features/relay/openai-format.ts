import type { FinishReason, TokenUsage } from '../providers/ai-provider.port.ts'
import type { RelayCall } from './relay-call.ts'
import type { AnswerWriter, CollectedAnswer, ToolCallPiece } from './client-format.ts'
import { streamErrorEvent } from './dialect-errors.ts'
import { toOpenAiUsage } from './wire-usage.ts'

/** OpenAI Chat Completions <-> the AiProvider port, answers of models of another kind, in the client's format (requests: *-request.ts). */

const FINISH: Record<FinishReason, string> = { stop: 'stop', length: 'length', tool_calls: 'tool_calls', content_filter: 'content_filter', error: 'stop', other: 'stop' }

const completionId = () => `chatcmpl-${crypto.randomUUID().replaceAll('-', '')}`

export function openAiCompletionJson(call: RelayCall, answer: CollectedAnswer): string {
  const toolCalls = answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))
  const message = { role: 'assistant', content: answer.text === '' && toolCalls.length > 0 ? null : answer.text, refusal: null, ...(toolCalls.length > 0 && { tool_calls: toolCalls }) }
  return JSON.stringify({
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: call.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[answer.finish] }],
    usage: toOpenAiUsage(answer.usage),
  })
}

/** chat.completion.chunk events: role, content deltas, the finish chunk, the usage chunk if asked, [DONE]. */
export class OpenAiChunkWriter implements AnswerWriter {
  private readonly id = completionId()
  private readonly created = Math.floor(Date.now() / 1000)

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(choices: unknown[], usage?: unknown): string {
    const payload = { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices, ...(this.includeUsage ? { usage: usage ?? null } : {}) }
    return `data: ${JSON.stringify(payload)}\n\n`
  }

  start(): string {
    return this.chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }])
  }

  delta(text: string): string {
    return this.chunk([{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }])
  }

  toolCall(piece: ToolCallPiece): string {
    const first = piece.id !== undefined || piece.name !== undefined
    const call = { index: piece.index, ...(first && { id: piece.id, type: 'function' }), function: { ...(first && { name: piece.name }), arguments: piece.argumentsDelta } }
    return this.chunk([{ index: 0, delta: { tool_calls: [call] }, logprobs: null, finish_reason: null }])
  }

  error(err: unknown): string {
    return streamErrorEvent('openai', err)
  }

  end(finish: FinishReason, usage: TokenUsage, comment: string): string {
    const last = this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: FINISH[finish] }])
    const usageChunk = this.includeUsage ? this.chunk([], toOpenAiUsage(usage)) : ''
    return `${last}${usageChunk}${comment}data: [DONE]\n\n`
  }
}
