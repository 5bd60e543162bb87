import { token } from '../../shared/di.ts'
import { AppError } from '../../shared/errors.ts'
import type { UpstreamBudget } from './upstream-budget.ts'

/**
 * The AI-provider port: one streaming call, normalised across the OpenAI Chat Completions,
 * Anthropic Messages and Gemini dialects (see docs/providers.md of the shared docs).
 *
 * Event order of one successful stream: `delta*`, then at most one `usage`, then exactly one
 * `finish` (always last). A stream that fails throws a ProviderError instead of `finish`; check
 * `midStream` / whether events were already seen to decide between retry and partial finalisation.
 *
 * Cancellation: aborting `request.signal` closes the upstream connection and makes the iteration
 * reject promptly with `signal.reason` (a DOMException named 'AbortError' unless the caller passed
 * a reason). Leaving a `for await` early (break/return) also closes the connection.
 *
 * Tools, images and JSON modes are optional additions: a turn may carry `parts` (text, images, tool
 * calls, tool results), the request `tools`, `toolChoice` and `responseFormat`, and the stream
 * `tool_call` events (interleaved with `delta`, before `usage`). Consumers ignore event types they
 * do not know (chat only reads text), so further additions stay non-breaking.
 */
export type ProviderKind = 'openai' | 'anthropic' | 'gemini'
export const PROVIDER_KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'gemini']

export interface ChatTurn {
  role: 'user' | 'assistant'
  /** The turn's text; with `parts`, their text parts joined with '\n' (for counting and text-only readers). */
  content: string
  /** The turn as ordered parts, when it is more than one piece of text; absent: `content` is the whole turn. */
  parts?: ContentPart[]
}

/** An image as the client gave it: inline bytes, or an address (https: or data:) to fetch. */
export type ImageSource = { kind: 'base64'; mediaType: string; data: string } | { kind: 'url'; url: string }

/**
 * One piece of a turn, in order. Tool calls belong to assistant turns and tool results to user
 * turns (OpenAI's `tool` role messages become user turns of tool_result parts).
 */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; image: ImageSource }
  /** `arguments`: the JSON text of the tool's input object, as the model produced it. */
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  /** `toolCallId`: the id of the call this answers; `name`: that call's tool (Gemini matches by name). */
  | { type: 'tool_result'; toolCallId: string; name?: string; content: string; isError?: boolean }

/** A function the model may call. `parameters`: the JSON Schema of its input object. */
export interface ToolDefinition {
  name: string
  description?: string
  parameters?: Record<string, unknown>
}

/** auto: the model decides; none: no tool; required: some tool; tool: this one. */
export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string }

/** The answer's format: JSON (any object), or JSON matching a schema (OpenAI's json_schema.schema). */
export type ResponseFormat = { type: 'json_object' } | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean }

export interface GenerationParams {
  temperature?: number
  topP?: number
  stop?: string[]
  /** A preference; the adapter sends min(this, CompletionRequest.maxOutputTokens). */
  maxOutputTokens?: number
  /** Anthropic and Gemini only (see provider-capabilities.ts for who takes what). */
  topK?: number
  /** OpenAI and Gemini only. */
  seed?: number
  presencePenalty?: number
  frequencyPenalty?: number
}

/** How a call authenticates: an API key, or an OAuth access token of a subscription account. */
export type AuthType = 'api_key' | 'oauth'

/** The credential and network route of one upstream call. */
export interface UpstreamCredential {
  type: AuthType
  /** The API key or access token; '' for a keyless endpoint. */
  secret: string
  /** Gemini OAuth (Code Assist): the Google Cloud project; absent otherwise. */
  projectId?: string | null
}

export interface CompletionRequest {
  provider: ProviderKind
  /** OpenAI: https://api.openai.com/v1 (incl. /v1); Anthropic and Gemini: the bare origin. */
  baseUrl: string
  /** The API key, or the access token when authType is 'oauth'. */
  apiKey: string
  /** Default 'api_key'. */
  authType?: AuthType
  /** Gemini OAuth (Code Assist) project. */
  projectId?: string | null
  /** The account's outbound proxy; absent or null: direct. A proxy that fails never falls back to direct. */
  proxyUrl?: string | null
  /**
   * On behalf of a user (a personal model, see restrictedOutbound): only addresses the outbound
   * policy allows; a refused one fails with OutboundAddressRefused before anything is sent.
   */
  restricted?: boolean
  model: string
  system?: string
  /** The system prompt as separate text blocks, when the client sent several (`system` is them joined). */
  systemParts?: string[]
  messages: ChatTurn[]
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  /** false: at most one tool call per answer (OpenAI parallel_tool_calls, Anthropic disable_parallel_tool_use). */
  parallelToolCalls?: boolean
  responseFormat?: ResponseFormat
  /** The output budget the caller reserved in the context window. */
  maxOutputTokens: number
  params?: GenerationParams
  signal?: AbortSignal
  /**
   * The attempts and total deadline of the whole client call, across retries and failover;
   * streamWithFailover makes one when absent.
   */
  budget?: UpstreamBudget
}

/**
 * Normalised to OpenAI semantics: `inputTokens` INCLUDES `cachedTokens` (Anthropic's
 * input_tokens + cache_creation + cache_read) and `outputTokens` INCLUDES `reasoningTokens`
 * (Gemini's candidatesTokenCount + thoughtsTokenCount). Absent fields were not reported.
 */
export interface TokenUsage {
  inputTokens?: number
  outputTokens?: number
  /** Prompt tokens read from a cache (OpenAI cached_tokens, Anthropic cache_read, Gemini cachedContentTokenCount). */
  cachedTokens?: number
  /** Anthropic only: prompt tokens written to the cache (cache_creation_input_tokens), also in inputTokens. */
  cacheWriteTokens?: number
  reasoningTokens?: number
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other'

export type ProviderEvent =
  | { type: 'delta'; text: string }
  /**
   * A piece of the index-th tool call of the answer (0-based, in order): the first event of an index
   * carries `id` and `name`; `argumentsDelta` pieces, concatenated, are the JSON text of its input.
   */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'usage'; usage: TokenUsage }
  /** rawReason: the dialect's own value (`end_turn`, `MAX_TOKENS`, a Gemini blockReason, ...). */
  | { type: 'finish'; reason: FinishReason; rawReason: string }

export interface AiProvider {
  stream(request: CompletionRequest): AsyncIterable<ProviderEvent>
}
export const AiProvider = token<AiProvider>('AiProvider')

export type ProviderErrorCode =
  | 'CONTEXT_TOO_LONG'
  | 'PROVIDER_AUTH_FAILED'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_BAD_REQUEST'
  | 'PROVIDER_ERROR'

export interface ProviderErrorInit {
  provider: ProviderKind
  /** Upstream HTTP status; 0 for a network failure; 200 for an error reported inside a stream. */
  status: number
  retryable: boolean
  /** The provider's own message, with the API key redacted. */
  providerMessage: string
  /** The dialect's error type/code: `rate_limit_exceeded`, `overloaded_error`, `RESOURCE_EXHAUSTED`... */
  providerCode?: string
  /** Seconds (may be fractional) the provider asked us to wait. */
  retryAfterSeconds?: number
  /** True when the failure happened after the upstream answered 200 (the stream had started). */
  midStream?: boolean
  /** For CONTEXT_TOO_LONG, when the provider's message states the numbers. */
  context?: { limit: number; requested: number }
}

/**
 * A restricted call's (personal model's) endpoint is, or resolves to, an address the outbound
 * policy refuses (loopback, private, link-local, metadata...; OUTBOUND_ALLOW_PRIVATE and
 * OUTBOUND_ALLOWED_HOSTS open them). Nothing was sent: it is neither retried nor failed over.
 * The message names the host, never the resolved address.
 */
export class OutboundAddressRefused extends AppError {
  constructor(
    readonly provider: ProviderKind,
    reason: string,
  ) {
    super('OUTBOUND_ADDRESS_REFUSED', `The model's endpoint may not be reached from this server: ${reason}`)
  }
}

const PROVIDER_LABELS: Record<ProviderKind, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' }

const SUMMARIES: Record<ProviderErrorCode, string> = {
  CONTEXT_TOO_LONG: 'context window exceeded',
  PROVIDER_AUTH_FAILED: 'rejected the API key',
  PROVIDER_RATE_LIMITED: 'rate limit or quota exceeded',
  PROVIDER_UNAVAILABLE: 'unavailable or overloaded',
  PROVIDER_BAD_REQUEST: 'rejected the request',
  PROVIDER_ERROR: 'returned an error',
}

/** `OpenAI rejected the API key (HTTP 401)`: what a failure was, in our words only. */
export function providerSummary(code: ProviderErrorCode, provider: ProviderKind, status: number, midStream: boolean): string {
  const where = midStream ? 'mid-stream' : status === 0 ? 'network' : `HTTP ${status}`
  return `${PROVIDER_LABELS[provider]} ${SUMMARIES[code]} (${where})`
}

export class ProviderError extends AppError {
  declare readonly code: ProviderErrorCode
  readonly provider: ProviderKind
  readonly status: number
  readonly retryable: boolean
  readonly providerMessage: string
  readonly providerCode: string | undefined
  readonly retryAfterSeconds: number | undefined
  readonly midStream: boolean
  readonly context: { limit: number; requested: number } | undefined

  constructor(code: ProviderErrorCode, init: ProviderErrorInit) {
    super(
      code,
      `${providerSummary(code, init.provider, init.status, !!init.midStream)}: ${init.providerMessage}`,
      { provider: init.provider, status: init.status, providerCode: init.providerCode, midStream: !!init.midStream },
      init.retryAfterSeconds,
    )
    this.provider = init.provider
    this.status = init.status
    this.retryable = init.retryable
    this.providerMessage = init.providerMessage
    this.providerCode = init.providerCode
    this.retryAfterSeconds = init.retryAfterSeconds
    this.midStream = !!init.midStream
    this.context = init.context
  }
}
