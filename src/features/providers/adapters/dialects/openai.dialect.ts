import type { CompletionRequest, FinishReason, ProviderEvent, TokenUsage, UpstreamCredential } from '../../ai-provider.port.ts'
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
interface OpenAiChunk {
  error?: unknown
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>
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

export function openAiRequestBody(request: CompletionRequest): Record<string, unknown> {
  const reasoning = isReasoningModel(request.model)
  const messages = [
    ...(request.system ? [{ role: 'system', content: request.system }] : []),
    ...request.messages.map((m) => ({ role: m.role, content: m.content })),
  ]
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
    return typeof text === 'string' && text !== '' ? [{ type: 'delta', text }] : NO_EVENTS
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
