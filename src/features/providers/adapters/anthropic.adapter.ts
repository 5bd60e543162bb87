import type { AiProvider, CompletionRequest, FinishReason, ProviderEvent, TokenUsage } from '../ai-provider.port.ts'
import { postSse, trimSlash, type FetchLike } from './http-stream.ts'
import { errorFromStreamPayload, protocolError } from './provider-errors.ts'
import { alternatingTurns, isRecord, num, outputBudget, parseEventJson } from './shared.ts'

/** Anthropic Messages: POST {baseUrl}/v1/messages. */

interface AnthropicUsage {
  input_tokens?: number
  output_tokens?: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}
interface AnthropicEvent {
  type?: string
  message?: { usage?: AnthropicUsage }
  delta?: { type?: string; text?: string; stop_reason?: string | null }
  usage?: AnthropicUsage
}

const FINISH: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
}

export const ANTHROPIC_VERSION = '2023-06-01'

export function anthropicRequestBody(request: CompletionRequest): Record<string, unknown> {
  const params = request.params ?? {}
  return {
    model: request.model,
    max_tokens: outputBudget(request),
    ...(request.system ? { system: request.system } : {}),
    messages: alternatingTurns(request.messages),
    stream: true,
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { top_p: params.topP }),
    ...(params.stop && params.stop.length > 0 && { stop_sequences: params.stop }),
  }
}

/** Anthropic's input_tokens excludes cache reads and writes; ours includes them. */
function mergeUsage(into: AnthropicUsage, from: AnthropicUsage | undefined): void {
  if (!isRecord(from)) return
  for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    const value = num(from[key])
    if (value !== undefined) into[key] = value
  }
}

function mapUsage(u: AnthropicUsage): TokenUsage {
  const cacheRead = u.cache_read_input_tokens ?? 0
  const cacheWrite = u.cache_creation_input_tokens ?? 0
  return {
    inputTokens: u.input_tokens === undefined ? undefined : u.input_tokens + cacheRead + cacheWrite,
    outputTokens: u.output_tokens,
    cachedTokens: u.cache_read_input_tokens ?? undefined,
  }
}

export class AnthropicAdapter implements AiProvider {
  constructor(private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init)) {}

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    const items = postSse(
      {
        provider: 'anthropic',
        url: `${trimSlash(request.baseUrl)}/v1/messages`,
        headers: { 'x-api-key': request.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
        body: anthropicRequestBody(request),
        apiKey: request.apiKey,
        signal: request.signal,
      },
      this.fetchImpl,
    )
    const usage: AnthropicUsage = {}
    let stopReason: string | undefined
    for await (const item of items) {
      if (item.kind !== 'event' || item.event === 'ping') continue
      const data = parseEventJson('anthropic', item.data)
      if (!isRecord(data)) continue
      const event = data as AnthropicEvent
      switch (item.event ?? event.type) {
        case 'error':
          throw errorFromStreamPayload('anthropic', data, request.apiKey)
        case 'message_start':
          mergeUsage(usage, event.message?.usage)
          break
        case 'content_block_delta':
          // thinking_delta, signature_delta and input_json_delta are not answer text.
          if (event.delta?.type === 'text_delta' && event.delta.text) yield { type: 'delta', text: event.delta.text }
          break
        case 'message_delta':
          if (event.delta?.stop_reason) stopReason = event.delta.stop_reason
          mergeUsage(usage, event.usage) // cumulative: the last value wins
          break
        case 'message_stop':
          if (Object.keys(usage).length > 0) yield { type: 'usage', usage: mapUsage(usage) }
          yield { type: 'finish', reason: FINISH[stopReason ?? ''] ?? 'other', rawReason: stopReason ?? '' }
          return
      }
    }
    throw protocolError('anthropic', 'stream ended before message_stop', true)
  }
}
