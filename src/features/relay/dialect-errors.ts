import { AppError } from '../../shared/errors.ts'
import { ProviderError } from '../providers/ai-provider.port.ts'
import type { ClientDialect } from './relay-call.ts'

/**
 * Every failure of a /v1 route in the client's own dialect, keeping the provider's meaning:
 * OpenAI `{"error":{"message","type","param","code"}}`, Anthropic `{"type":"error","error":{"type","message"}}`,
 * Gemini `{"error":{"code","message","status","details"}}` (Google's RPC status names).
 */
export interface DialectError {
  status: number
  body: unknown
  /** Seconds, for the retry-after header. */
  retryAfter?: number
  /**
   * An upstream failure the relay already retried as far as the call's budget allowed: the SDK is
   * told not to retry (`x-should-retry: false`), or one call would multiply the upstream requests.
   */
  final: boolean
}

interface Meaning {
  status: number
  message: string
  openai: { type: string; code: string | null; param?: string | null }
  anthropic: string
  retryAfter?: number
}

const SERVER = { type: 'server_error', code: null }

function providerMeaning(err: ProviderError): Meaning {
  const message = err.providerMessage
  const retryAfter = err.retryAfterSeconds
  switch (err.code) {
    case 'CONTEXT_TOO_LONG':
      return { status: 400, message, openai: { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' }, anthropic: 'invalid_request_error' }
    case 'PROVIDER_RATE_LIMITED': {
      const quota = err.providerCode === 'insufficient_quota'
      const openai = quota ? { type: 'insufficient_quota', code: 'insufficient_quota' } : { type: 'requests', code: 'rate_limit_exceeded' }
      return { status: 429, message, openai, anthropic: 'rate_limit_error', retryAfter }
    }
    case 'PROVIDER_UNAVAILABLE': {
      const overloaded = err.status === 503 || err.status === 529 || err.providerCode === 'overloaded_error' || err.providerCode === 'UNAVAILABLE'
      if (overloaded) return { status: 503, message, openai: SERVER, anthropic: 'overloaded_error', retryAfter }
      const status = err.status >= 500 && err.status <= 504 ? err.status : 502
      return { status, message, openai: SERVER, anthropic: status === 504 ? 'timeout_error' : 'api_error', retryAfter }
    }
    case 'PROVIDER_BAD_REQUEST': {
      // The client's request was wrong (a parameter out of range...): theirs to fix, so a 4xx.
      const status = [400, 413, 422].includes(err.status) ? err.status : 502
      if (status === 502) return { status, message, openai: { type: 'server_error', code: err.providerCode ?? null }, anthropic: 'api_error' }
      return { status, message, openai: { type: 'invalid_request_error', code: err.providerCode ?? null }, anthropic: status === 413 ? 'request_too_large' : 'invalid_request_error' }
    }
    case 'PROVIDER_AUTH_FAILED':
      // The platform key was fine; the provider refused the key configured on the model: a server-side fault.
      return { status: 502, message: `The provider rejected the API key configured for this model: ${message}`, openai: { type: 'server_error', code: 'upstream_authentication_failed' }, anthropic: 'api_error' }
    case 'PROVIDER_ERROR':
      return { status: 502, message, openai: SERVER, anthropic: 'api_error' }
  }
}

function appMeaning(err: AppError): Meaning {
  const message = err.message
  const invalidRequest = (status: number, code: string | null = null, param: string | null = null): Meaning => ({
    status, message, openai: { type: 'invalid_request_error', code, param }, anthropic: status === 413 ? 'request_too_large' : 'invalid_request_error',
  })
  switch (err.code) {
    case 'UNAUTHENTICATED':
    case 'TOKEN_EXPIRED':
      return { status: 401, message, openai: { type: 'invalid_request_error', code: 'invalid_api_key' }, anthropic: 'authentication_error' }
    case 'FORBIDDEN':
    case 'PASSWORD_CHANGE_REQUIRED':
      return { status: 403, message, openai: { type: 'invalid_request_error', code: 'permission_denied' }, anthropic: 'permission_error' }
    case 'NOT_FOUND':
      return { status: 404, message, openai: { type: 'invalid_request_error', code: 'model_not_found', param: 'model' }, anthropic: 'not_found_error' }
    case 'VALIDATION_FAILED':
    case 'INVALID_JSON':
    case 'CONFLICT':
      return invalidRequest(400, null, paramOf(err.details))
    case 'CONTEXT_TOO_LONG':
      return invalidRequest(400, 'context_length_exceeded', 'messages')
    case 'PAYLOAD_TOO_LARGE':
      return invalidRequest(413)
    case 'RATE_LIMITED':
      return { status: 429, message, openai: { type: 'requests', code: 'rate_limit_exceeded' }, anthropic: 'rate_limit_error', retryAfter: err.retryAfter }
    case 'QUOTA_EXCEEDED':
      return { status: 429, message, openai: { type: 'insufficient_quota', code: 'insufficient_quota' }, anthropic: 'rate_limit_error', retryAfter: err.retryAfter }
    case 'SERVICE_UNAVAILABLE':
    case 'PROVIDER_UNAVAILABLE':
      return { status: 503, message, openai: SERVER, anthropic: 'overloaded_error', retryAfter: err.retryAfter }
    case 'PROVIDER_RATE_LIMITED':
      return { status: 429, message, openai: { type: 'requests', code: 'rate_limit_exceeded' }, anthropic: 'rate_limit_error', retryAfter: err.retryAfter }
    case 'PROVIDER_AUTH_FAILED':
    case 'PROVIDER_BAD_REQUEST':
    case 'PROVIDER_ERROR':
    case 'OAUTH_INVALID_GRANT':
    case 'OAUTH_ENDPOINT_FAILED':
      return { status: 502, message, openai: SERVER, anthropic: 'api_error' }
    case 'OAUTH_ENDPOINT_TIMEOUT':
      return { status: 504, message, openai: SERVER, anthropic: 'timeout_error' }
    case 'OUTBOUND_ADDRESS_REFUSED':
      return { status: 403, message, openai: { type: 'invalid_request_error', code: 'outbound_address_refused' }, anthropic: 'permission_error' }
    case 'INTERNAL':
      return { status: 500, message: 'Internal server error', openai: SERVER, anthropic: 'api_error' }
  }
}

const paramOf = (details: unknown): string | null =>
  typeof details === 'object' && details !== null && typeof (details as { param?: unknown }).param === 'string' ? (details as { param: string }).param : null

/** Unknown errors (not AppErrors) are never echoed: 500 with a generic message, and `unexpected` for the log. */
export function meaningOf(err: unknown): { meaning: Meaning; unexpected: boolean } {
  if (err instanceof ProviderError) return { meaning: providerMeaning(err), unexpected: false }
  if (err instanceof AppError) return { meaning: appMeaning(err), unexpected: false }
  return { meaning: appMeaning(new AppError('INTERNAL', 'Internal server error')), unexpected: true }
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'INVALID_ARGUMENT', 429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL', 501: 'UNIMPLEMENTED', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
}

/** Gemini answers a key it does not know with 400 INVALID_ARGUMENT and the API_KEY_INVALID reason, not 401. */
const isBadKey = (err: unknown) => err instanceof AppError && !(err instanceof ProviderError) && (err.code === 'UNAUTHENTICATED' || err.code === 'TOKEN_EXPIRED')

function geminiBody(err: unknown, m: Meaning, status: number): unknown {
  const details: unknown[] = []
  if (isBadKey(err)) details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' })
  if (m.retryAfter !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Math.max(1, Math.ceil(m.retryAfter))}s` })
  return { error: { code: status, message: m.message, status: GOOGLE_STATUS[status] ?? 'UNKNOWN', ...(details.length > 0 && { details }) } }
}

function statusIn(dialect: ClientDialect, err: unknown, m: Meaning): number {
  if (dialect === 'anthropic' && m.anthropic === 'overloaded_error') return 529
  if (dialect === 'gemini' && isBadKey(err)) return 400
  return m.status
}

function bodyOf(dialect: ClientDialect, err: unknown, m: Meaning, status: number): unknown {
  if (dialect === 'openai') return { error: { message: m.message, type: m.openai.type, param: m.openai.param ?? null, code: m.openai.code } }
  if (dialect === 'gemini') return geminiBody(err, m, status)
  return { type: 'error', error: { type: m.anthropic, message: m.message } }
}

/** The HTTP answer for an error before the response started. Anthropic says "overloaded" with 529. */
export function dialectError(dialect: ClientDialect, err: unknown): DialectError & { unexpected: boolean } {
  const { meaning, unexpected } = meaningOf(err)
  const status = statusIn(dialect, err, meaning)
  const retryAfter = meaning.retryAfter === undefined ? undefined : Math.max(1, Math.ceil(meaning.retryAfter))
  return { status, body: bodyOf(dialect, err, meaning, status), retryAfter, final: err instanceof ProviderError, unexpected }
}

/** The error body alone, in the dialect's shape (for formats that report mid-stream failures their own way). */
export function errorBody(dialect: ClientDialect, err: unknown): unknown {
  const { meaning } = meaningOf(err)
  return bodyOf(dialect, err, meaning, statusIn(dialect, err, meaning))
}

/**
 * The same failure inside a 200 stream: OpenAI `data: {error}`, Anthropic `event: error`, Gemini
 * the bare JSON error object outside SSE framing (what the API sends and @google/genai throws on).
 */
export function streamErrorEvent(dialect: ClientDialect, err: unknown): string {
  const data = JSON.stringify(errorBody(dialect, err))
  if (dialect === 'gemini') return `${data}\n`
  return dialect === 'openai' ? `data: ${data}\n\n` : `event: error\ndata: ${data}\n\n`
}
