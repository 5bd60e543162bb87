import type { UsableModel } from '../models/model-access.port.ts'
import type { ChatTurn, CompletionRequest, FinishReason, GenerationParams, TokenUsage } from '../providers/ai-provider.port.ts'
import { ValidationFailed } from '../../shared/errors.ts'
import type { RelayCall } from './relay-call.ts'
import { UnsupportedForModel } from './relay.errors.ts'
import type { AnswerWriter, CollectedAnswer, ToolCallPiece } from './client-format.ts'
import { streamErrorEvent } from './dialect-errors.ts'
import { toOpenAiUsage } from './wire-usage.ts'

/** OpenAI Chat Completions <-> the AiProvider port, for models of another kind (text only). */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function textOf(content: unknown, param: string, kind: string): string {
  if (content === null || content === undefined) return ''
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) throw new ValidationFailed(`'${param}' must be a string or an array of content parts`, { param })
  return content
    .map((part: unknown, i) => {
      if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text
      const type = isRecord(part) && typeof part.type === 'string' ? part.type : 'unknown'
      throw new UnsupportedForModel(`Content of type '${type}'`, kind, `${param}.${i}`)
    })
    .join('')
}

const number = (body: Record<string, unknown>, field: string): number | undefined => {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw new ValidationFailed(`'${field}' must be a number`, { param: field })
  return value
}

function stopOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value as string[]
  throw new ValidationFailed("'stop' must be a string or an array of strings", { param: 'stop' })
}

/** Throws a 400 for what cannot be translated: tools, non-text content, n > 1. */
export function openAiToCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const kind = config.providerKind
  const body = call.body
  if ((Array.isArray(body.tools) && body.tools.length > 0) || body.functions !== undefined) throw new UnsupportedForModel('Tool definitions', kind, 'tools')
  if (typeof body.n === 'number' && body.n > 1) throw new UnsupportedForModel("'n' greater than 1", kind, 'n')
  const system: string[] = []
  const messages: ChatTurn[] = []
  ;(body.messages as unknown[]).forEach((m, i) => {
    if (!isRecord(m)) throw new ValidationFailed(`'messages.${i}' must be an object`, { param: `messages.${i}` })
    const param = `messages.${i}.content`
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content, param, kind))
    else if (m.role === 'user' || m.role === 'assistant') {
      if (m.tool_calls !== undefined || m.function_call !== undefined) throw new UnsupportedForModel('Tool calls', kind, `messages.${i}`)
      messages.push({ role: m.role, content: textOf(m.content, param, kind) })
    } else throw new UnsupportedForModel(`Messages with role '${String(m.role)}'`, kind, `messages.${i}.role`)
  })
  if (!messages.some((m) => m.role === 'user')) throw new ValidationFailed("'messages' must contain a user message", { param: 'messages' })
  const params: GenerationParams = { ...config.defaultParams }
  const temperature = number(body, 'temperature')
  const topP = number(body, 'top_p')
  const stop = stopOf(body.stop)
  if (temperature !== undefined) params.temperature = temperature
  if (topP !== undefined) params.topP = topP
  if (stop) params.stop = stop
  if (call.maxOutputTokens !== undefined) params.maxOutputTokens = call.maxOutputTokens
  return {
    provider: kind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    system: system.length ? system.join('\n\n') : undefined,
    messages,
    maxOutputTokens: config.maxOutputTokens,
    params,
  }
}

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
