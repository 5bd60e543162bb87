import type { EmbeddingRequest, EmbeddingResult } from '../../relay/embeddings/provider-embeddings.port.ts'
import { protocolError } from './provider-errors.ts'
import { isRecord, num, trimSlash } from './shared.ts'

/**
 * Embeddings on the wire, pure. OpenAI-compatible: POST {baseUrl}/embeddings {model, input,
 * encoding_format: "float", dimensions?, user?} -> {data: [{index, embedding}], usage.prompt_tokens}.
 * Gemini: POST {baseUrl}/v1beta/models/{model}:batchEmbedContents {requests: [{model: "models/{model}",
 * content: {parts: [{text}]}, outputDimensionality?}]} -> {embeddings: [{values}]} (no token counts).
 */

const bareModel = (model: string) => model.replace(/^models\//, '')

export interface EmbeddingWire {
  url: string
  headers: Record<string, string>
  body: unknown
}

export function embeddingWire(request: EmbeddingRequest): EmbeddingWire {
  const base = trimSlash(request.baseUrl)
  const secret = request.apiKey
  if (request.provider === 'openai') {
    const input = request.input.kind === 'text' ? request.input.texts : request.input.tokens
    return {
      url: `${base}/embeddings`,
      headers: secret ? { authorization: `Bearer ${secret}` } : {},
      // Floats from upstream whatever the client asked: the relay encodes base64 itself, for every kind alike.
      body: { model: request.model, input, encoding_format: 'float', ...(request.dimensions ? { dimensions: request.dimensions } : {}), ...(request.user ? { user: request.user } : {}) },
    }
  }
  const model = bareModel(request.model)
  const texts = request.input.kind === 'text' ? request.input.texts : []
  return {
    url: `${base}/v1beta/models/${encodeURIComponent(model)}:batchEmbedContents`,
    headers: secret ? { 'x-goog-api-key': secret } : {},
    body: {
      requests: texts.map((text) => ({ model: `models/${model}`, content: { parts: [{ text }] }, ...(request.dimensions ? { outputDimensionality: request.dimensions } : {}) })),
    },
  }
}

const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number')

/** The vectors and usage of a 2xx answer; a ProviderError when it is not the shape the API documents. */
export function parseEmbeddings(request: EmbeddingRequest, text: string): EmbeddingResult {
  const kind = request.provider
  const expected = request.input.kind === 'text' ? request.input.texts.length : request.input.tokens.length
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw protocolError(kind, 'the embeddings answer is not JSON', false)
  }
  const vectors: number[][] = []
  let inputTokens: number | undefined
  if (kind === 'openai') {
    const data = isRecord(body) ? body.data : undefined
    if (!Array.isArray(data)) throw protocolError(kind, 'the embeddings answer has no data list', false)
    for (const [i, item] of data.entries()) {
      const index = isRecord(item) ? (num(item.index) ?? i) : i
      const embedding = isRecord(item) ? item.embedding : undefined
      if (!isVector(embedding) || index < 0 || index >= expected) throw protocolError(kind, `embedding ${i} of the answer is not a float list`, false)
      vectors[index] = embedding
    }
    inputTokens = isRecord(body) && isRecord(body.usage) ? num(body.usage.prompt_tokens) : undefined
  } else {
    const embeddings = isRecord(body) ? body.embeddings : undefined
    if (!Array.isArray(embeddings)) throw protocolError(kind, 'the embeddings answer has no embeddings list', false)
    for (const [i, item] of embeddings.entries()) {
      const values = isRecord(item) ? item.values : undefined
      if (!isVector(values)) throw protocolError(kind, `embedding ${i} of the answer has no values`, false)
      vectors.push(values)
    }
  }
  if (vectors.length !== expected || vectors.some((v) => v === undefined)) {
    throw protocolError(kind, `the answer has ${vectors.filter(Boolean).length} embeddings for ${expected} inputs`, false)
  }
  return { vectors, ...(inputTokens !== undefined ? { inputTokens } : {}) }
}
