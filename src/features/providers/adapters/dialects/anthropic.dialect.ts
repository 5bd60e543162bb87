import type { CompletionRequest, FinishReason, ProviderEvent, TokenUsage, UpstreamCredential } from '../../ai-provider.port.ts'
import { errorFromStreamPayload, protocolError } from '../provider-errors.ts'
import type { SseItem } from '../sse.ts'
import { alternatingTurns, isRecord, num, outputBudget, parseEventJson, trimSlash } from '../shared.ts'
import { NO_EVENTS, type ProviderDialect, type StreamDecoder } from './dialect.ts'

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
/** The beta flag Anthropic documents for calls made with an OAuth access token. */
export const ANTHROPIC_OAUTH_BETA = 'oauth-2025-04-20'

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

/** OAuth tokens go as a bearer with the oauth beta flag (merged with the client's own flags); API keys as x-api-key. */
export function anthropicHeaders(credential: UpstreamCredential, clientBeta?: string): Record<string, string> {
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION }
  if (credential.type === 'oauth') {
    headers.authorization = `Bearer ${credential.secret}`
    const flags = new Set([ANTHROPIC_OAUTH_BETA, ...(clientBeta ?? '').split(',').map((f) => f.trim()).filter(Boolean)])
    headers['anthropic-beta'] = [...flags].join(',')
    return headers
  }
  if (credential.secret) headers['x-api-key'] = credential.secret
  if (clientBeta) headers['anthropic-beta'] = clientBeta
  return headers
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

class AnthropicDecoder implements StreamDecoder {
  private readonly usage: AnthropicUsage = {}
  private stopReason: string | undefined
  private done = false

  constructor(private readonly secret: string) {}

  push(item: SseItem): ProviderEvent[] {
    if (item.kind !== 'event' || item.event === 'ping' || this.done) return NO_EVENTS
    const data = parseEventJson('anthropic', item.data)
    if (!isRecord(data)) return NO_EVENTS
    const event = data as AnthropicEvent
    switch (item.event ?? event.type) {
      case 'error':
        throw errorFromStreamPayload('anthropic', data, this.secret)
      case 'message_start':
        mergeUsage(this.usage, event.message?.usage)
        return NO_EVENTS
      case 'content_block_delta':
        // thinking_delta, signature_delta and input_json_delta are not answer text.
        return event.delta?.type === 'text_delta' && event.delta.text ? [{ type: 'delta', text: event.delta.text }] : NO_EVENTS
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason
        mergeUsage(this.usage, event.usage) // cumulative: the last value wins
        return NO_EVENTS
      case 'message_stop': {
        this.done = true
        const events: ProviderEvent[] = Object.keys(this.usage).length > 0 ? [{ type: 'usage', usage: mapUsage(this.usage) }] : []
        events.push({ type: 'finish', reason: FINISH[this.stopReason ?? ''] ?? 'other', rawReason: this.stopReason ?? '' })
        return events
      }
      default:
        return NO_EVENTS
    }
  }

  end(): ProviderEvent[] {
    if (!this.done) throw protocolError('anthropic', 'stream ended before message_stop', true)
    return NO_EVENTS
  }
}

export const anthropicDialect: ProviderDialect = {
  kind: 'anthropic',
  completionUrl: (baseUrl) => `${trimSlash(baseUrl)}/v1/messages`,
  headers: anthropicHeaders,
  streamBody: anthropicRequestBody,
  decoder: (secret) => new AnthropicDecoder(secret),
}
