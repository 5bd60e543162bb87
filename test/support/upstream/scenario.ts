/**
 * What the test upstream does for one request. Every field is optional; `{}` streams the default
 * text in 4 chunks and finishes normally. Dialect files translate these into their wire format.
 */
export type UpstreamErrorKind =
  | 'auth' // each dialect's invalid-key error (the key check produces it too)
  | 'rate_limit' // 429, retryable, with retry-after (Gemini: RetryInfo detail)
  | 'quota' // OpenAI 429 insufficient_quota; Gemini 429 RESOURCE_EXHAUSTED; Anthropic 400 credit balance
  | 'overloaded' // OpenAI 503, Anthropic 529, Gemini 503
  | 'server' // 500 everywhere
  | 'timeout' // 504
  | 'bad_request' // 400 invalid parameter
  | 'not_found' // 404 unknown model
  | 'context_length' // 400 with the dialect's real context-overflow message

export interface Scenario {
  /** The answer. Default DEFAULT_TEXT; `echo: true` answers with the last user message instead. */
  text?: string
  echo?: boolean
  /** Number of text deltas (= completion tokens). Default 4; capped by the request's max tokens. */
  chunks?: number
  /** Delay before each delta, ms. */
  delayMs?: number
  /** Delay before the status line and headers are sent, ms. */
  headersDelayMs?: number
  /** Normalised finish reason, translated per dialect; `rawFinish` sends a verbatim value instead. */
  finish?: 'stop' | 'length' | 'content_filter'
  rawFinish?: string
  /** Extra usage figures reported with the stream. */
  cachedTokens?: number
  reasoningTokens?: number
  /** Anthropic only: prompt tokens written to the cache (cache_creation_input_tokens). */
  cacheWriteTokens?: number

  /** Fail before streaming with the dialect's status and error body. */
  fail?: UpstreamErrorKind
  /** Override the status of `fail`. */
  status?: number
  /** Override the provider message of `fail`. */
  message?: string
  /** Seconds, for `rate_limit` (retry-after header; Gemini: RetryInfo retryDelay). */
  retryAfter?: number
  /** For `context_length`: the model's window N (the message reports M = max(prompt tokens, N + 1)). */
  contextWindow?: number

  /** After this many deltas, send the dialect's in-stream error event, then end the response. */
  midStreamErrorAfter?: number
  midStreamError?: 'overloaded' | 'server' | 'rate_limit'
  /** Gemini only: `raw` (default, like the real API) injects a pretty-printed JSON body; `sse` frames it as data. */
  midStreamFraming?: 'raw' | 'sse'
  /** After this many deltas, destroy the socket (no terminator, truncated chunked body). */
  dropAfter?: number

  /** Send a heartbeat before each delta (`: keepalive` comment; Anthropic `event: ping`). */
  heartbeat?: boolean
  /** Line ending of the SSE framing. Default '\n'. */
  lineEnding?: '\n' | '\r\n' | '\r'
  /** Gemini: prompt blocked (promptFeedback.blockReason, no candidates). Others: content_filter finish. */
  blocked?: boolean
  /**
   * Answer with these tool calls instead of text (OpenAI `tool_calls`, streamed as a name chunk then
   * an arguments chunk; Anthropic `tool_use` blocks with one `input_json_delta`; Gemini
   * `functionCall` parts, whole, in one last chunk), finishing with `tool_calls` / `tool_use` /
   * `STOP`. `arguments` is the JSON text of the input.
   */
  toolCalls?: Array<{ id?: string; name: string; arguments: string }>
}

export const DEFAULT_TEXT = 'Hello from the test upstream.'

/** Deterministic prompt token count: ceil(characters / 4) over every text the request carries. */
export const countTokens = (texts: readonly string[]): number => Math.max(1, Math.ceil(texts.join('').length / 4))

/** Splits text into n nearly equal, non-empty pieces (fewer if the text is shorter than n). */
export function splitText(text: string, n: number): string[] {
  const count = Math.max(1, Math.min(n, text.length))
  const size = Math.floor(text.length / count)
  const extra = text.length % count
  const pieces: string[] = []
  let at = 0
  for (let i = 0; i < count; i++) {
    const len = size + (i < extra ? 1 : 0)
    pieces.push(text.slice(at, at + len))
    at += len
  }
  return pieces
}

/** What a dialect handler needs after the request has been parsed. */
export interface Plan {
  scenario: Scenario
  model: string
  body: Record<string, unknown>
  pieces: string[]
  promptTokens: number
  /** True when the request's max-token limit cut the pieces short. */
  truncated: boolean
  eol: string
}

export interface PlanInput {
  scenario: Scenario
  model: string
  body: Record<string, unknown>
  promptTexts: string[]
  lastUserText: string
  maxTokens: unknown
}

export function plan(input: PlanInput): Plan {
  const { scenario } = input
  const text = scenario.echo ? input.lastUserText || DEFAULT_TEXT : (scenario.text ?? DEFAULT_TEXT)
  const all = scenario.blocked || scenario.toolCalls?.length ? [] : splitText(text, scenario.chunks ?? 4)
  const limit = typeof input.maxTokens === 'number' && input.maxTokens > 0 ? input.maxTokens : Infinity
  return {
    scenario,
    model: input.model,
    body: input.body,
    pieces: all.slice(0, limit),
    promptTokens: countTokens(input.promptTexts),
    truncated: all.length > limit,
    eol: scenario.lineEnding ?? '\n',
  }
}

/** Tokens the completion reports: one per delta plus any scripted reasoning tokens. */
export const completionTokens = (p: Plan): number => p.pieces.length + (p.scenario.reasoningTokens ?? 0) + 2 * (p.scenario.toolCalls?.length ?? 0)

/** The scenario's tool calls with their ids filled in. */
export const toolCallsOf = (p: Plan, prefix: string): Array<{ id: string; name: string; arguments: string }> =>
  (p.scenario.toolCalls ?? []).map((call, i) => ({ ...call, id: call.id ?? `${prefix}${i}` }))

/** M for context-length messages: the prompt count, or just past the window when forced. */
export const overflowTokens = (p: Plan, window: number): number => Math.max(p.promptTokens, window + 1)

/** The finish reason a plan ends with, before dialect translation. */
export const normalisedFinish = (p: Plan): 'stop' | 'length' | 'content_filter' =>
  p.scenario.finish ?? (p.scenario.blocked ? 'content_filter' : p.truncated ? 'length' : 'stop')

/** Serialises one SSE event with the plan's line ending. */
export function sse(p: Plan, data: string, event?: string): string {
  const lines = [...(event ? [`event: ${event}`] : []), ...data.split('\n').map((l) => `data: ${l}`)]
  return lines.map((l) => l + p.eol).join('') + p.eol
}

export const heartbeatComment = (p: Plan): string => `: keepalive${p.eol}${p.eol}`

/** Text of a message `content` in any of the dialects' shapes (string, or blocks/parts with text). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((p) => (p && typeof p === 'object' && typeof p.text === 'string' ? p.text : '')).join('')
}

export interface ErrorReply {
  status: number
  headers?: Record<string, string>
  body: unknown
}

/** A dialect's stream as raw pieces; the server writes them with delays, heartbeats and faults. */
export interface StreamScript {
  head: string[]
  delta(text: string, index: number): string
  tail: string[]
  heartbeat: string
  midStreamError(kind: NonNullable<Scenario['midStreamError']>): string
}

export interface Dialect {
  name: 'openai' | 'anthropic' | 'gemini'
  apiKey(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined
  authError(key: string | undefined): ErrorReply
  /** A request-shape error the real API would return (e.g. Anthropic without max_tokens). */
  validate(body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>): ErrorReply | undefined
  prepare(body: Record<string, unknown>, scenario: Scenario, model: string): Plan
  error(kind: UpstreamErrorKind, p: Plan): ErrorReply
  json(p: Plan): unknown
  stream(p: Plan): StreamScript
}

export const requestId = (prefix: string): string => `${prefix}${Math.random().toString(36).slice(2, 14)}`
