import { ValidationFailed } from '../../../shared/errors.ts'
import type { EmbeddingInput } from './provider-embeddings.port.ts'

/** OpenAI's POST /v1/embeddings request, checked: every field it documents, nothing else. */
export interface EmbeddingsCall {
  model: string
  input: EmbeddingInput
  encodingFormat: 'float' | 'base64'
  dimensions?: number
  user?: string
  /** Length of the raw body: the prompt-token reservation (chars / 4) for texts. */
  bodyChars: number
}

/** OpenAI's own limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048

const FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user'])

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n) && n >= 0)

function invalid(message: string, param: string | null): never {
  throw new ValidationFailed(message, { param })
}

function inputOf(input: unknown): EmbeddingInput {
  const bad = () => invalid("'input' must be a non-empty string, an array of non-empty strings, an array of token ids or an array of such arrays", 'input')
  if (typeof input === 'string') return input === '' ? bad() : { kind: 'text', texts: [input] }
  if (!Array.isArray(input) || input.length === 0) return bad()
  if (input.length > MAX_EMBEDDING_INPUTS) invalid(`'input' may hold at most ${MAX_EMBEDDING_INPUTS} items`, 'input')
  if (input.every((s) => typeof s === 'string' && s !== '')) return { kind: 'text', texts: input as string[] }
  if (isTokens(input)) return { kind: 'tokens', tokens: [input] }
  if (input.every(isTokens)) return { kind: 'tokens', tokens: input }
  return bad()
}

export function parseEmbeddingsCall(body: unknown, bodyChars: number): EmbeddingsCall {
  if (!isRecord(body)) invalid('The request body must be a JSON object', null)
  const unknown = Object.keys(body).find((k) => !FIELDS.has(k))
  if (unknown !== undefined) invalid(`Unrecognized request argument supplied: ${unknown}`, unknown)
  if (typeof body.model !== 'string' || body.model === '') invalid("'model' is required", 'model')
  const format = body.encoding_format ?? 'float'
  if (format !== 'float' && format !== 'base64') invalid("'encoding_format' must be 'float' or 'base64'", 'encoding_format')
  const dimensions = body.dimensions ?? undefined
  if (dimensions !== undefined && (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1)) invalid("'dimensions' must be a positive integer", 'dimensions')
  const user = body.user ?? undefined
  if (user !== undefined && typeof user !== 'string') invalid("'user' must be a string", 'user')
  return { model: body.model, input: inputOf(body.input), encodingFormat: format, dimensions, user, bodyChars }
}

/** Tokens reserved before the call: token arrays count exactly, texts as chars / 4. */
export function estimateEmbeddingTokens(call: EmbeddingsCall): number {
  if (call.input.kind === 'tokens') return Math.max(1, call.input.tokens.reduce((n, t) => n + t.length, 0))
  return Math.max(1, Math.ceil(call.input.texts.reduce((n, t) => n + t.length, 0) / 4))
}

/** OpenAI's embedding list, floats or base64 of little-endian float32 (what the openai SDK decodes). */
export function embeddingsJson(model: string, vectors: readonly number[][], format: EmbeddingsCall['encodingFormat'], inputTokens: number): string {
  return JSON.stringify({
    object: 'list',
    data: vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
    })),
    model,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  })
}
