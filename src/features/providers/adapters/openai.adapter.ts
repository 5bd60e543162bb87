import type { AiProvider, CompletionRequest, FinishReason, ProviderEvent, TokenUsage } from '../ai-provider.port.ts'
import { postSse, trimSlash, type FetchLike } from './http-stream.ts'
import { errorFromStreamPayload, protocolError } from './provider-errors.ts'
import { isRecord, num, outputBudget, parseEventJson } from './shared.ts'

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
const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model.replace(/^.*\//, ''))

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

export class OpenAiAdapter implements AiProvider {
  constructor(private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init)) {}

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    const items = postSse(
      {
        provider: 'openai',
        url: `${trimSlash(request.baseUrl)}/chat/completions`,
        // Keyless OpenAI-compatible servers (Ollama, LM Studio) get no Authorization header at all.
        headers: request.apiKey ? { authorization: `Bearer ${request.apiKey}` } : {},
        body: openAiRequestBody(request),
        apiKey: request.apiKey,
        signal: request.signal,
      },
      this.fetchImpl,
    )
    let finish: string | undefined
    let usage: OpenAiUsage | undefined
    for await (const item of items) {
      if (item.kind !== 'event') continue
      if (item.data.trim() === '[DONE]') {
        if (usage) yield { type: 'usage', usage: mapOpenAiUsage(usage) }
        yield { type: 'finish', reason: finish === undefined ? 'other' : (FINISH[finish] ?? 'other'), rawReason: finish ?? '' }
        return
      }
      const chunk = parseEventJson('openai', item.data)
      if (!isRecord(chunk)) continue
      const { error, choices, usage: chunkUsage } = chunk as OpenAiChunk
      if (error) throw errorFromStreamPayload('openai', chunk, request.apiKey)
      const choice = Array.isArray(choices) ? choices[0] : undefined
      const text = choice?.delta?.content
      if (typeof text === 'string' && text !== '') yield { type: 'delta', text }
      if (choice?.finish_reason) finish = choice.finish_reason
      if (isRecord(chunkUsage)) usage = chunkUsage
    }
    throw protocolError('openai', 'stream ended before [DONE]', true)
  }
}
