import type { FinishReason, TokenUsage } from '../../providers/ai-provider.port.ts'
import { toolInput } from '../../providers/content-parts.ts'
import type { AnswerToolCall, AnswerWriter, CollectedAnswer, ToolCallPiece } from '../client-format.ts'
import { streamErrorEvent, errorBody } from '../dialect-errors.ts'
import type { RelayCall } from '../relay-call.ts'

/** GenerateContentResponse objects: one for a JSON answer, a sequence of them for a stream. */

const FINISH: Record<FinishReason, string> = { stop: 'STOP', length: 'MAX_TOKENS', tool_calls: 'STOP', content_filter: 'SAFETY', error: 'OTHER', other: 'OTHER' }

/** Gemini's promptTokenCount includes cached content; candidatesTokenCount excludes thoughts. */
export function toGeminiUsage(u: TokenUsage) {
  const prompt = u.inputTokens ?? 0
  const output = u.outputTokens ?? 0
  const thoughts = u.reasoningTokens ?? 0
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: Math.max(0, output - thoughts),
    totalTokenCount: prompt + output,
    ...(u.cachedTokens ? { cachedContentTokenCount: u.cachedTokens } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  }
}

const functionCallPart = (call: AnswerToolCall) => ({ functionCall: { id: call.id, name: call.name, args: toolInput(call.arguments) ?? {} } })

const responseId = () => crypto.randomUUID().replaceAll('-', '').slice(0, 22)

function response(model: string, id: string, parts: unknown[], finish?: FinishReason, usage?: TokenUsage): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, ...(finish && { finishReason: FINISH[finish] }), index: 0 }],
    ...(usage && { usageMetadata: toGeminiUsage(usage) }),
    modelVersion: model,
    responseId: id,
  }
}

export function geminiResponseJson(call: RelayCall, answer: CollectedAnswer): string {
  const parts = [...(answer.text ? [{ text: answer.text }] : []), ...answer.toolCalls.map(functionCallPart)]
  return JSON.stringify(response(call.model, responseId(), parts, answer.finish, answer.usage))
}

/**
 * A stream of GenerateContentResponse chunks, as SSE `data:` events (`?alt=sse`) or as the elements
 * of one JSON array. Gemini sends function calls whole: their pieces are gathered and each call goes
 * out in a chunk of its own once the next call, text or the end arrives.
 */
export class GeminiAnswerWriter implements AnswerWriter {
  private readonly id = responseId()
  private readonly sse: boolean
  private elements = 0
  private pending: AnswerToolCall | undefined

  constructor(private readonly call: RelayCall) {
    this.sse = call.framing !== 'json-array'
  }

  private chunk(body: unknown): string {
    const json = JSON.stringify(body)
    if (this.sse) return `data: ${json}\n\n`
    return `${this.elements++ === 0 ? '' : ',\r\n'}${json}`
  }

  private flushCall(): string {
    const call = this.pending
    this.pending = undefined
    return call ? this.chunk(response(this.call.model, this.id, [functionCallPart(call)])) : ''
  }

  start(): string {
    return this.sse ? '' : '['
  }

  delta(text: string): string {
    return this.flushCall() + this.chunk(response(this.call.model, this.id, [{ text }]))
  }

  toolCall(piece: ToolCallPiece): string {
    if (piece.id !== undefined || piece.name !== undefined || !this.pending) {
      const flushed = this.flushCall()
      this.pending = { id: piece.id ?? `call_${piece.index}`, name: piece.name ?? '', arguments: piece.argumentsDelta }
      return flushed
    }
    this.pending.arguments += piece.argumentsDelta
    return ''
  }

  end(finish: FinishReason, usage: TokenUsage, comment: string): string {
    const last = this.pending
    this.pending = undefined
    const final = this.chunk(response(this.call.model, this.id, last ? [functionCallPart(last)] : [], finish, usage))
    return this.sse ? final + comment : `${final}]`
  }

  /** A call still gathering its pieces is unfinished: it is not sent, and the error goes out alone (the SDK parses it only then). */
  error(err: unknown): string {
    this.pending = undefined
    if (this.sse) return streamErrorEvent('gemini', err)
    return `${this.elements++ === 0 ? '' : ',\r\n'}${JSON.stringify(errorBody('gemini', err))}]`
  }
}
