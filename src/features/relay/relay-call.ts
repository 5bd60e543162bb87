import { ValidationFailed } from '../../shared/errors.ts'

/** The wire format a client speaks: OpenAI Chat Completions, Anthropic Messages or Gemini generateContent. */
export type ClientDialect = 'openai' | 'anthropic' | 'gemini'

/**
 * One client request, checked just enough to route it. The body is kept as the client sent it:
 * when the model speaks the client's dialect it goes upstream almost verbatim.
 */
export interface RelayCall {
  dialect: ClientDialect
  body: Record<string, unknown>
  /** Length of the raw JSON body: a cheap upper bound for the prompt's tokens (chars / 4). */
  bodyChars: number
  /** The model name the client asked for: a model config id or alias. */
  model: string
  stream: boolean
  /** OpenAI: the client asked for the final usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean
  /** The client's output limit (max_tokens / max_completion_tokens), if any. */
  maxOutputTokens?: number
  /** Gemini streams: SSE (`?alt=sse`) or one JSON array written as it grows. */
  framing?: 'sse' | 'json-array'
  /** Anthropic headers forwarded on pass-through. */
  anthropicVersion?: string
  anthropicBeta?: string
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(message: string, param: string | null): never {
  throw new ValidationFailed(message, { param })
}

function positiveInt(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) invalid(`'${field}' must be a positive integer`, field)
  return value
}

/** Validates the fields the relay itself needs; everything else is the provider's to judge. */
export function parseRelayCall(
  dialect: ClientDialect,
  body: unknown,
  bodyChars: number,
  headers: { anthropicVersion?: string; anthropicBeta?: string } = {},
): RelayCall {
  if (!isRecord(body)) invalid('The request body must be a JSON object', null)
  if (typeof body.model !== 'string' || body.model === '') invalid("'model' is required", 'model')
  if (!Array.isArray(body.messages)) invalid("'messages' must be an array", 'messages')
  if (body.messages.length === 0 && dialect === 'anthropic') invalid("'messages' must not be empty", 'messages')
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') invalid("'stream' must be a boolean", 'stream')
  const stream = body.stream === true

  if (dialect === 'anthropic') {
    const maxTokens = positiveInt(body, 'max_tokens')
    if (maxTokens === undefined) invalid('max_tokens: Field required', 'max_tokens')
    return { dialect, body, bodyChars, model: body.model, stream, includeUsage: false, maxOutputTokens: maxTokens, ...headers }
  }

  const options = body.stream_options
  if (options !== undefined && options !== null && !isRecord(options)) invalid("'stream_options' must be an object", 'stream_options')
  if (options && !stream) invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options')
  const maxOutputTokens = positiveInt(body, 'max_completion_tokens') ?? positiveInt(body, 'max_tokens')
  return {
    dialect,
    body,
    bodyChars,
    model: body.model,
    stream,
    includeUsage: isRecord(options) && options.include_usage === true,
    maxOutputTokens,
  }
}

/** Prompt tokens reserved against quotas before the call: every 4 characters of the request may be a token. */
export const estimateInputTokens = (call: RelayCall): number => Math.max(1, Math.ceil(call.bodyChars / 4))

/** FNV-1a, 32 bits: a cheap, stable fingerprint (not a security boundary). */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(36)
}

const firstUserText = (messages: unknown): string => {
  if (!Array.isArray(messages)) return ''
  const first = messages.find((m) => isRecord(m) && (m.role === 'user' || m.role === undefined))
  return isRecord(first) ? JSON.stringify(first.content ?? first.parts ?? '').slice(0, 2_000) : ''
}

/**
 * Which conversation a relay call belongs to, for sticky upstream accounts: the client's own id
 * (Anthropic `metadata.user_id`, OpenAI `user`) or else the fingerprint of the system prompt and
 * the first user message, which stay the same for every turn of one conversation. Per platform key.
 */
export function conversationKey(call: RelayCall, keyId: string): string {
  const metadata = isRecord(call.body.metadata) ? call.body.metadata : {}
  const own = typeof metadata.user_id === 'string' ? metadata.user_id : typeof call.body.user === 'string' ? call.body.user : ''
  if (own) return `${keyId}:u:${fingerprint(own)}`
  const system = JSON.stringify(call.body.system ?? call.body.systemInstruction ?? '').slice(0, 2_000)
  return `${keyId}:c:${fingerprint(`${system}\u0000${firstUserText(call.body.messages ?? call.body.contents)}`)}`
}
