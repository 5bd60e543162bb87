import type { ChatTurn, CompletionRequest, ContentPart, FinishReason, ProviderEvent, TokenUsage, ToolChoice, UpstreamCredential } from '../../ai-provider.port.ts'
import { imageUrl } from '../../content-parts.ts'
import { errorFromStreamPayload, protocolError } from '../provider-errors.ts'
import { isRecord, num, outputBudget, parseEventJson, trimSlash } from '../shared.ts'
import { NO_EVENTS, type ProviderDialect, type StreamDecoder } from './dialect.ts'

/** OpenAI Chat Completions (and compatible servers): POST {baseUrl}/chat/completions. */

interface OpenAiUsage {
  prompt_tokens?: number
  completion_tokens?: number
  prompt_tokens_details?: { cached_tokens?: number } | null
  completion_tokens_details?: { reasoning_tokens?: number } | null
  /** DeepSeek reports cache hits here instead of prompt_tokens_details. */
  prompt_cache_hit_tokens?: number
}
interface OpenAiToolCallDelta {
  index?: number
  id?: string
  function?: { name?: string; arguments?: string }
}
interface OpenAiChunk {
  error?: unknown
  choices?: Array<{ delta?: { content?: string | null; tool_calls?: OpenAiToolCallDelta[] | null }; finish_reason?: string | null }>
  usage?: OpenAiUsage | null
}

const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
}

// o-series and gpt-5 reject `max_tokens` and non-default sampling parameters.
export const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model.replace(/^.*\//, ''))

const textPart = (text: string) => ({ type: 'text', text })

function userPart(part: ContentPart): unknown {
  if (part.type === 'image') return { type: 'image_url', image_url: { url: imageUrl(part.image) } }
  return textPart(part.type === 'text' ? part.text : '')
}

/** A turn's messages: an assistant message with its tool calls; tool results as `tool` messages, first, then the user's other parts. */
function turnMessages(turn: ChatTurn): unknown[] {
  if (!turn.parts) return [{ role: turn.role, content: turn.content }]
  if (turn.role === 'assistant') {
    const texts = turn.parts.flatMap((p) => (p.type === 'text' ? [p.text] : []))
    const calls = turn.parts.flatMap((p) => (p.type === 'tool_call' ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }] : []))
    const content = texts.length === 0 ? null : texts.length === 1 ? texts[0] : texts.map(textPart)
    return [{ role: 'assistant', content, ...(calls.length > 0 && { tool_calls: calls }) }]
  }
  // OpenAI has no error flag on a tool result: the content says so instead.
  const results = turn.parts.flatMap((p) => (p.type === 'tool_result' ? [{ role: 'tool', tool_call_id: p.toolCallId, content: p.isError ? `Error: ${p.content}` : p.content }] : []))
  const rest = turn.parts.filter((p) => p.type === 'text' || p.type === 'image')
  return [...results, ...(rest.length > 0 ? [{ role: 'user', content: rest.map(userPart) }] : [])]
}

function toolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type
}

/** Tools, tool choice and JSON mode, as OpenAI names them. */
function toolFields(request: CompletionRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (request.tools?.length) {
    out.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, ...(t.description !== undefined && { description: t.description }), ...(t.parameters && { parameters: t.parameters }) },
    }))
    if (request.parallelToolCalls !== undefined) out.parallel_tool_calls = request.parallelToolCalls
  }
  if (request.toolChoice) out.tool_choice = toolChoice(request.toolChoice)
  const format = request.responseFormat
  if (format?.type === 'json_object') out.response_format = { type: 'json_object' }
  else if (format?.type === 'json_schema') {
    out.response_format = { type: 'json_schema', json_schema: { name: format.name ?? 'response', schema: format.schema, ...(format.strict !== undefined && { strict: format.strict }) } }
  }
  return out
}

function systemMessage(request: CompletionRequest): unknown[] {
  if (request.systemParts && request.systemParts.length > 1) return [{ role: 'system', content: request.systemParts.map(textPart) }]
  return request.system ? [{ role: 'system', content: request.system }] : []
}

export function openAiRequestBody(request: CompletionRequest): Record<string, unknown> {
  const reasoning = isReasoningModel(request.model)
  const messages = [...systemMessage(request), ...request.messages.flatMap(turnMessages)]
  const params = request.params ?? {}
  return {
    model: request.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    [reasoning ? 'max_completion_tokens' : 'max_tokens']: outputBudget(request),
    ...(!reasoning && params.temperature !== undefined && { temperature: params.temperature }),
    ...(!reasoning && params.topP !== undefined && { top_p: params.topP }),
    ...(params.stop && params.stop.length > 0 && { stop: params.stop }),
    ...(params.seed !== undefined && { seed: params.seed }),
    ...(params.presencePenalty !== undefined && { presence_penalty: params.presencePenalty }),
    ...(params.frequencyPenalty !== undefined && { frequency_penalty: params.frequencyPenalty }),
    ...toolFields(request),
  }
}

export function mapOpenAiUsage(u: OpenAiUsage): TokenUsage {
  return {
    inputTokens: num(u.prompt_tokens),
    outputTokens: num(u.completion_tokens),
    cachedTokens: num(u.prompt_tokens_details?.cached_tokens) ?? num(u.prompt_cache_hit_tokens),
    reasoningTokens: num(u.completion_tokens_details?.reasoning_tokens),
  }
}

class OpenAiDecoder implements StreamDecoder {
  private finish: string | undefined
  private usage: OpenAiUsage | undefined
  private done = false

  constructor(private readonly secret: string) {}

  push(item: Parameters<StreamDecoder['push']>[0]): ProviderEvent[] {
    if (item.kind !== 'event' || this.done) return NO_EVENTS
    if (item.data.trim() === '[DONE]') {
      this.done = true
      const events: ProviderEvent[] = this.usage ? [{ type: 'usage', usage: mapOpenAiUsage(this.usage) }] : []
      events.push({ type: 'finish', reason: this.finish === undefined ? 'other' : (FINISH[this.finish] ?? 'other'), rawReason: this.finish ?? '' })
      return events
    }
    const chunk = parseEventJson('openai', item.data)
    if (!isRecord(chunk)) return NO_EVENTS
    const { error, choices, usage } = chunk as OpenAiChunk
    if (error) throw errorFromStreamPayload('openai', chunk, this.secret)
    const choice = Array.isArray(choices) ? choices[0] : undefined
    if (choice?.finish_reason) this.finish = choice.finish_reason
    if (isRecord(usage)) this.usage = usage
    const text = choice?.delta?.content
    const calls = choice?.delta?.tool_calls
    if (!Array.isArray(calls) || calls.length === 0) return typeof text === 'string' && text !== '' ? [{ type: 'delta', text }] : NO_EVENTS
    const events: ProviderEvent[] = typeof text === 'string' && text !== '' ? [{ type: 'delta', text }] : []
    for (const call of calls) {
      if (!isRecord(call)) continue
      const index = num(call.index) ?? 0
      const fn = isRecord(call.function) ? call.function : {}
      events.push({
        type: 'tool_call',
        index,
        ...(typeof call.id === 'string' && { id: call.id }),
        ...(typeof fn.name === 'string' && { name: fn.name }),
        argumentsDelta: typeof fn.arguments === 'string' ? fn.arguments : '',
      })
    }
    return events
  }

  end(): ProviderEvent[] {
    if (!this.done) throw protocolError('openai', 'stream ended before [DONE]', true)
    return NO_EVENTS
  }
}

export const openAiDialect: ProviderDialect = {
  kind: 'openai',
  completionUrl: (baseUrl) => `${trimSlash(baseUrl)}/chat/completions`,
  // Keyless OpenAI-compatible servers (Ollama, LM Studio) get no Authorization header at all.
  headers: (credential: UpstreamCredential): Record<string, string> => (credential.secret ? { authorization: `Bearer ${credential.secret}` } : {}),
  streamBody: openAiRequestBody,
  decoder: (secret) => new OpenAiDecoder(secret),
}
