import type { ChatTurn, CompletionRequest, ContentPart, FinishReason, ProviderEvent, TokenUsage, ToolChoice, UpstreamCredential } from '../../ai-provider.port.ts'
import { inlineImage, toolInput } from '../../content-parts.ts'
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
  index?: number
  message?: { usage?: AnthropicUsage }
  content_block?: { type?: string; id?: string; name?: string }
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null }
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

/**
 * JSON mode on Anthropic: the answer is forced through this tool, whose input (the JSON) the
 * decoder turns back into answer text.
 */
export const JSON_ANSWER_TOOL = 'json_answer'

function block(part: ContentPart): unknown {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text }
    case 'image': {
      const inline = inlineImage(part.image)
      const source = inline ? { type: 'base64', media_type: inline.mediaType, data: inline.data } : { type: 'url', url: part.image.kind === 'url' ? part.image.url : '' }
      return { type: 'image', source }
    }
    case 'tool_call':
      return { type: 'tool_use', id: part.id, name: part.name, input: toolInput(part.arguments) ?? {} }
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: part.toolCallId, content: part.content, ...(part.isError && { is_error: true }) }
  }
}

/** Content blocks of a turn; tool results first (Anthropic wants them at the start of the user turn), empty text dropped (refused upstream). */
function turnContent(turn: ChatTurn): unknown {
  if (!turn.parts) return turn.content
  const parts = turn.parts.filter((p) => p.type !== 'text' || p.text !== '')
  const ordered = [...parts.filter((p) => p.type === 'tool_result'), ...parts.filter((p) => p.type !== 'tool_result')]
  return ordered.map(block)
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Record<string, unknown> | undefined {
  const base = !choice || choice.type === 'auto' ? { type: 'auto' } : choice.type === 'none' ? { type: 'none' } : choice.type === 'required' ? { type: 'any' } : { type: 'tool', name: choice.name }
  if (parallel === false && base.type !== 'none') return { ...base, disable_parallel_tool_use: true }
  return choice ? base : undefined
}

function toolFields(request: CompletionRequest): Record<string, unknown> {
  const format = request.responseFormat
  if (format) {
    const schema = format.type === 'json_schema' ? format.schema : { type: 'object' }
    const description = format.type === 'json_schema' && format.name ? `Answer with the ${format.name} JSON object.` : 'Answer with a JSON object.'
    return { tools: [{ name: JSON_ANSWER_TOOL, description, input_schema: schema }], tool_choice: { type: 'tool', name: JSON_ANSWER_TOOL } }
  }
  if (!request.tools?.length) return {}
  const tools = request.tools.map((t) => ({
    name: t.name,
    ...(t.description !== undefined && { description: t.description }),
    input_schema: t.parameters ?? { type: 'object', properties: {} },
  }))
  const choice = toolChoice(request.toolChoice, request.parallelToolCalls)
  return { tools, ...(choice && { tool_choice: choice }) }
}

function system(request: CompletionRequest): Record<string, unknown> {
  if (request.systemParts && request.systemParts.length > 1) return { system: request.systemParts.map((text) => ({ type: 'text', text })) }
  return request.system ? { system: request.system } : {}
}

export function anthropicRequestBody(request: CompletionRequest): Record<string, unknown> {
  const params = request.params ?? {}
  return {
    model: request.model,
    max_tokens: outputBudget(request),
    ...system(request),
    messages: alternatingTurns(request.messages).map((turn) => ({ role: turn.role, content: turnContent(turn) })),
    stream: true,
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { top_p: params.topP }),
    ...(params.topK !== undefined && { top_k: params.topK }),
    ...(params.stop && params.stop.length > 0 && { stop_sequences: params.stop }),
    ...toolFields(request),
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
    ...(u.cache_creation_input_tokens != null && { cacheWriteTokens: u.cache_creation_input_tokens }),
  }
}

class AnthropicDecoder implements StreamDecoder {
  private readonly usage: AnthropicUsage = {}
  private stopReason: string | undefined
  private done = false
  /** Content block index -> tool call index (0-based, in order), and whether it had input yet. */
  private readonly tools = new Map<number, { index: number; input: boolean }>()
  /** The block of the JSON-mode tool, whose input is answer text. */
  private jsonBlock: number | undefined

  constructor(
    private readonly secret: string,
    private readonly jsonMode: boolean,
  ) {}

  private blockStart(event: AnthropicEvent): ProviderEvent[] {
    const block = event.content_block
    const at = num(event.index)
    if (block?.type !== 'tool_use' || at === undefined) return NO_EVENTS
    if (this.jsonMode && block.name === JSON_ANSWER_TOOL) {
      this.jsonBlock = at
      return NO_EVENTS
    }
    const index = this.tools.size
    this.tools.set(at, { index, input: false })
    return [{ type: 'tool_call', index, id: block.id ?? `toolu_${index}`, name: block.name ?? '', argumentsDelta: '' }]
  }

  private blockDelta(event: AnthropicEvent): ProviderEvent[] {
    const delta = event.delta
    if (delta?.type === 'text_delta') return delta.text ? [{ type: 'delta', text: delta.text }] : NO_EVENTS
    // thinking_delta and signature_delta are not answer text.
    if (delta?.type !== 'input_json_delta' || !delta.partial_json) return NO_EVENTS
    const at = num(event.index)
    if (at !== undefined && at === this.jsonBlock) return [{ type: 'delta', text: delta.partial_json }]
    const tool = at === undefined ? undefined : this.tools.get(at)
    if (!tool) return NO_EVENTS
    tool.input = true
    return [{ type: 'tool_call', index: tool.index, argumentsDelta: delta.partial_json }]
  }

  /** A tool called without input streams no input_json_delta: its arguments are still an object. */
  private blockStop(event: AnthropicEvent): ProviderEvent[] {
    const at = num(event.index)
    const tool = at === undefined ? undefined : this.tools.get(at)
    if (tool && !tool.input) {
      tool.input = true
      return [{ type: 'tool_call', index: tool.index, argumentsDelta: '{}' }]
    }
    return NO_EVENTS
  }

  private finishReason(): FinishReason {
    // The forced JSON tool is how the answer was given, not a call for the client to run.
    if (this.stopReason === 'tool_use' && this.jsonBlock !== undefined && this.tools.size === 0) return 'stop'
    return FINISH[this.stopReason ?? ''] ?? 'other'
  }

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
      case 'content_block_start':
        return this.blockStart(event)
      case 'content_block_delta':
        return this.blockDelta(event)
      case 'content_block_stop':
        return this.blockStop(event)
      case 'message_delta':
        if (event.delta?.stop_reason) this.stopReason = event.delta.stop_reason
        mergeUsage(this.usage, event.usage) // cumulative: the last value wins
        return NO_EVENTS
      case 'message_stop': {
        this.done = true
        const events: ProviderEvent[] = Object.keys(this.usage).length > 0 ? [{ type: 'usage', usage: mapUsage(this.usage) }] : []
        events.push({ type: 'finish', reason: this.finishReason(), rawReason: this.stopReason ?? '' })
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
  decoder: (secret, _credential, request) => new AnthropicDecoder(secret, request?.responseFormat !== undefined),
}
