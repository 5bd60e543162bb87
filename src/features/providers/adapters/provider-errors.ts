import { ProviderError, type ProviderErrorCode, type ProviderKind } from '../ai-provider.port.ts'

/** Maps each dialect's HTTP status + error body (or in-stream error payload) to a ProviderError. */

interface ParsedError {
  message: string
  code?: string
  /** Gemini puts a numeric HTTP code inside the body; used for in-stream errors. */
  httpCode?: number
  retryDelaySeconds?: number
  apiKeyInvalid?: boolean
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Removes the key itself, and the masked key OpenAI echoes back in its 401 message. */
export function redact(text: string, apiKey: string): string {
  let out = text.replace(/(API key provided: )\S+/g, '$1[redacted].')
  if (apiKey.length >= 6) out = out.split(apiKey).join('[redacted]')
  return out
}

function parseBody(kind: ProviderKind, payload: unknown): ParsedError | undefined {
  if (!isRecord(payload) || !isRecord(payload.error)) return undefined
  const e = payload.error
  const message = str(e.message) ?? ''
  if (kind === 'openai') return { message, code: str(e.code) ?? str(e.type) }
  if (kind === 'anthropic') return { message, code: str(e.type) }
  const details = Array.isArray(e.details) ? e.details.filter(isRecord) : []
  const retryDelay = details.map((d) => str(d.retryDelay)).find(Boolean)
  return {
    message,
    code: str(e.status),
    httpCode: typeof e.code === 'number' ? e.code : undefined,
    retryDelaySeconds: retryDelay ? parseDuration(retryDelay) : undefined,
    apiKeyInvalid: details.some((d) => d.reason === 'API_KEY_INVALID'),
  }
}

/** "7s", "0.5s", "1.25s" (protobuf Duration JSON). */
function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text.trim())
  return m ? Number(m[1]) : undefined
}

export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '')
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

/**
 * Anthropic's rate-limit reset: `anthropic-ratelimit-unified-reset` (epoch seconds, subscription
 * accounts) or the RFC 3339 `anthropic-ratelimit-{requests,tokens}-reset`; seconds from now.
 */
export function parseRateLimitReset(headers: Headers, now = Date.now()): number | undefined {
  const unified = Number(headers.get('anthropic-ratelimit-unified-reset') ?? '')
  const candidates = [Number.isFinite(unified) && unified > 0 ? unified * 1000 : Number.NaN]
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset']) candidates.push(Date.parse(headers.get(name) ?? ''))
  const latest = Math.max(...candidates.filter((t) => Number.isFinite(t)))
  return Number.isFinite(latest) ? Math.max(0, (latest - now) / 1000) : undefined
}

const laterWait = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b))

const CONTEXT_PATTERNS: Array<{ re: RegExp; limit: number; requested: number[] }> = [
  // OpenAI and compatible servers (vLLM, DeepSeek): "maximum context length is N tokens. However, your messages resulted in M tokens"
  { re: /maximum context length is (\d+) tokens.*?(?:resulted in|requested) (\d+) tokens/is, limit: 1, requested: [2] },
  // Anthropic: "prompt is too long: M tokens > N maximum"
  { re: /prompt is too long: (\d+) tokens > (\d+) maximum/i, limit: 2, requested: [1] },
  // Anthropic: "input length and `max_tokens` exceed context limit: A + B > N"
  { re: /exceed context limit: (\d+) \+ (\d+) > (\d+)/i, limit: 3, requested: [1, 2] },
  // Gemini: "The input token count (M) exceeds the maximum number of tokens allowed (N)."
  { re: /input token count \(?(\d+)\)? exceeds the maximum number of tokens allowed \(?(\d+)\)?/i, limit: 2, requested: [1] },
]

function contextOverflow(message: string, code?: string): { limit: number; requested: number } | 'unknown' | undefined {
  for (const p of CONTEXT_PATTERNS) {
    const m = p.re.exec(message)
    if (m) return { limit: Number(m[p.limit]), requested: p.requested.reduce((sum, i) => sum + Number(m[i]), 0) }
  }
  if (code === 'context_length_exceeded' || /context (length|window)|too many tokens|prompt is too long/i.test(message)) {
    return 'unknown'
  }
  return undefined
}

interface Classified {
  code: ProviderErrorCode
  retryable: boolean
}

function classify(kind: ProviderKind, status: number, parsed: ParsedError | undefined): Classified {
  const code = parsed?.code
  if (status === 401 || status === 403) return { code: 'PROVIDER_AUTH_FAILED', retryable: false }
  if (kind === 'gemini' && status === 400 && (parsed?.apiKeyInvalid || /API key not valid/i.test(parsed?.message ?? ''))) {
    return { code: 'PROVIDER_AUTH_FAILED', retryable: false }
  }
  if (status === 429) {
    const quota = kind === 'openai' && code === 'insufficient_quota'
    return { code: 'PROVIDER_RATE_LIMITED', retryable: !quota }
  }
  if (status === 408 || status >= 500) return { code: 'PROVIDER_UNAVAILABLE', retryable: true }
  if (status >= 400) return { code: 'PROVIDER_BAD_REQUEST', retryable: false }
  return { code: 'PROVIDER_ERROR', retryable: false }
}

function build(kind: ProviderKind, status: number, effectiveStatus: number, parsed: ParsedError | undefined, fallback: string, apiKey: string, extra: { retryAfter?: number; midStream?: boolean }): ProviderError {
  const providerMessage = redact(parsed?.message || fallback, apiKey)
  const overflow = effectiveStatus === 400 || effectiveStatus === 413 ? contextOverflow(providerMessage, parsed?.code) : undefined
  const { code, retryable } = overflow
    ? { code: 'CONTEXT_TOO_LONG' as const, retryable: false }
    : classify(kind, effectiveStatus, parsed)
  return new ProviderError(code, {
    provider: kind,
    status,
    retryable,
    providerMessage,
    providerCode: parsed?.code,
    retryAfterSeconds: extra.retryAfter ?? parsed?.retryDelaySeconds,
    midStream: extra.midStream,
    context: typeof overflow === 'object' ? overflow : undefined,
  })
}

/** A non-2xx response before the stream started. */
export function errorFromResponse(kind: ProviderKind, status: number, headers: Headers, bodyText: string, apiKey: string): ProviderError {
  let parsed: ParsedError | undefined
  try {
    parsed = parseBody(kind, JSON.parse(bodyText))
  } catch {
    parsed = undefined
  }
  const fallback = bodyText.trim().slice(0, 500) || `HTTP ${status}`
  const reset = kind === 'anthropic' && status === 429 ? parseRateLimitReset(headers) : undefined
  return build(kind, status, status, parsed, fallback, apiKey, { retryAfter: laterWait(parseRetryAfter(headers), reset) })
}

// In-stream errors carry a type but no status: give them the status that type has before a stream.
const STREAM_TYPE_STATUS: Record<string, number> = {
  // Anthropic
  overloaded_error: 529, api_error: 500, rate_limit_error: 429, invalid_request_error: 400,
  authentication_error: 401, permission_error: 403, not_found_error: 404, request_too_large: 413, timeout_error: 504,
  // OpenAI
  server_error: 500, rate_limit_exceeded: 429, insufficient_quota: 429, context_length_exceeded: 400,
}

/** An error payload that arrived inside a 200 stream (OpenAI `data: {error}`, Anthropic `event: error`, Gemini `{error}`). */
export function errorFromStreamPayload(kind: ProviderKind, payload: unknown, apiKey: string): ProviderError {
  const parsed = parseBody(kind, payload)
  const effective = parsed?.httpCode ?? STREAM_TYPE_STATUS[parsed?.code ?? ''] ?? 500
  return build(kind, 200, effective, parsed, 'error event in stream', apiKey, { midStream: true })
}

/** fetch rejected (DNS, refused, reset) or the body broke off mid-stream. */
export function networkError(kind: ProviderKind, error: unknown, apiKey: string, midStream: boolean): ProviderError {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''
  const message = error instanceof Error ? `${error.message}${cause}` : String(error)
  return new ProviderError('PROVIDER_UNAVAILABLE', {
    provider: kind,
    status: 0,
    retryable: true,
    providerMessage: redact(message, apiKey),
    midStream,
  })
}

/** The stream ended (or sent garbage) without the dialect's terminator. */
export function protocolError(kind: ProviderKind, message: string, retryable: boolean): ProviderError {
  return new ProviderError(retryable ? 'PROVIDER_UNAVAILABLE' : 'PROVIDER_ERROR', {
    provider: kind,
    status: 200,
    retryable,
    providerMessage: message,
    midStream: true,
  })
}
