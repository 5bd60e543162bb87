import { gemini } from './gemini.ts'
import { openai } from './openai.ts'
import { countTokens, plan, type Dialect, type ErrorReply, type Scenario } from './scenario.ts'

/**
 * Embeddings as the real APIs speak them: OpenAI POST /v1/embeddings (float arrays, or base64 of
 * little-endian float32 with encoding_format: base64) and Gemini POST
 * /v1beta/models/{model}:embedContent and :batchEmbedContents. Vectors are deterministic per text
 * and exact in float32 (multiples of 1/1024), so a test can compute what it should get.
 */

export const DEFAULT_DIMENSIONS = 8
/** OpenAI's limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048

/** The vector the test upstream gives `text` (token arrays: their JSON text). */
export function embeddingOf(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return Array.from({ length: dimensions }, (_, i) => {
    hash = Math.imul(hash ^ (i + 1), 0x01000193)
    return (((hash >>> 0) % 2049) - 1024) / 1024
  })
}

export function float32Base64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64')
}

export interface EmbeddingRoute {
  dialect: Dialect
  /** Gemini: the model in the path and the verb. */
  model?: string
  verb?: 'embedContent' | 'batchEmbedContents'
}

const GEMINI_EMBED = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents)$/

export function embeddingRoute(method: string, pathname: string): EmbeddingRoute | undefined {
  if (method !== 'POST') return undefined
  if (pathname === '/v1/embeddings') return { dialect: openai }
  const m = GEMINI_EMBED.exec(pathname)
  return m ? { dialect: gemini, model: m[1], verb: m[2] as EmbeddingRoute['verb'] } : undefined
}

const openAiInvalid = (message: string, param: string | null = null): ErrorReply => ({
  status: 400,
  body: { error: { message, type: 'invalid_request_error', param, code: null } },
})
const geminiInvalid = (message: string): ErrorReply => ({ status: 400, body: { error: { code: 400, message, status: 'INVALID_ARGUMENT' } } })

const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n))

/** OpenAI's accepted `input` shapes, as a list of texts (token arrays as their JSON). */
function openAiInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return input === '' ? undefined : [input]
  if (isTokens(input)) return [JSON.stringify(input)]
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_EMBEDDING_INPUTS) return undefined
  if (input.every((s) => typeof s === 'string' && s !== '')) return input as string[]
  if (input.every(isTokens)) return input.map((t) => JSON.stringify(t))
  return undefined
}

const tokensOf = (input: unknown, texts: string[]): number =>
  isTokens(input) ? input.length : Array.isArray(input) && input.every(isTokens) ? input.flat().length : countTokens(texts)

export type EmbeddingAnswer = { status: number; body: unknown; headers?: Record<string, string> }

/** The answer to one embeddings request that passed the key check. */
export function answerEmbeddings(route: EmbeddingRoute, body: Record<string, unknown>, scenario: Scenario): EmbeddingAnswer {
  const model = route.model ?? String(body.model)
  if (scenario.fail) {
    const reply = route.dialect.error(scenario.fail, plan({ scenario, model, body, promptTexts: [], lastUserText: '', maxTokens: undefined }))
    return { ...reply, status: scenario.status ?? reply.status }
  }
  return route.dialect === openai ? openAiEmbeddings(body) : geminiEmbeddings(route, body)
}

function openAiEmbeddings(body: Record<string, unknown>): EmbeddingAnswer {
  if (typeof body.model !== 'string') return openAiInvalid('you must provide a model parameter')
  const texts = openAiInputs(body.input)
  if (!texts) return openAiInvalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
  const format = body.encoding_format ?? 'float'
  if (format !== 'float' && format !== 'base64') return openAiInvalid(`Invalid value for 'encoding_format': '${String(format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format')
  const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1) return openAiInvalid(`Invalid value for 'dimensions' = ${String(dimensions)}. Must be at least 1.`, 'dimensions')
  const tokens = tokensOf(body.input, texts)
  return {
    status: 200,
    body: {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = embeddingOf(text, dimensions as number)
        return { object: 'embedding', index, embedding: format === 'base64' ? float32Base64(vector) : vector }
      }),
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  }
}

interface GeminiEmbedRequest {
  model?: unknown
  content?: { parts?: Array<{ text?: unknown }> }
  outputDimensionality?: unknown
}

function geminiVector(request: GeminiEmbedRequest): number[] | string {
  const parts = request.content?.parts
  if (!Array.isArray(parts) || parts.length === 0) return '* EmbedContentRequest.content: contents must not be empty\n'
  const text = parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join('')
  const dimensions = request.outputDimensionality ?? DEFAULT_DIMENSIONS
  if (!Number.isInteger(dimensions) || (dimensions as number) < 1) return `* EmbedContentRequest.output_dimensionality: must be positive\n`
  return embeddingOf(text, dimensions as number)
}

function geminiEmbeddings(route: EmbeddingRoute, body: Record<string, unknown>): EmbeddingAnswer {
  if (route.verb === 'embedContent') {
    const values = geminiVector(body as GeminiEmbedRequest)
    return typeof values === 'string' ? geminiInvalid(values) : { status: 200, body: { embedding: { values } } }
  }
  const requests = body.requests
  if (!Array.isArray(requests) || requests.length === 0) return geminiInvalid('* BatchEmbedContentsRequest.requests: requests must not be empty\n')
  if (requests.length > 100) return geminiInvalid('* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\n')
  const embeddings: Array<{ values: number[] }> = []
  for (const [i, request] of (requests as GeminiEmbedRequest[]).entries()) {
    if (request.model !== `models/${route.model}`) {
      return geminiInvalid(`Model names in the batch request must match the model name in the URL. requests[${i}].model is "${String(request.model)}", the URL has "models/${route.model}".`)
    }
    const values = geminiVector(request)
    if (typeof values === 'string') return geminiInvalid(values)
    embeddings.push({ values })
  }
  return { status: 200, body: { embeddings } }
}
