import { ValidationFailed } from '../../../shared/errors.ts'
import type { RelayCall } from '../relay-call.ts'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens'

/** `gemini-2.5-flash:generateContent` (a path segment; `models/` may lead) as the model and the method. */
export function parseModelMethod(target: string): { model: string; method: string } | undefined {
  const at = target.lastIndexOf(':')
  if (at <= 0) return undefined
  return { model: target.slice(0, at).replace(/^models\//, ''), method: target.slice(at + 1) }
}

/** The fields the relay needs from a generateContent body (the rest is translated later, with the model known). */
export function parseGeminiCall(body: unknown, bodyChars: number, model: string, stream: boolean, framing: 'sse' | 'json-array'): RelayCall {
  if (!isRecord(body)) throw new ValidationFailed('Invalid JSON payload received. The request body must be a JSON object.', { param: null })
  if (!Array.isArray(body.contents) || body.contents.length === 0) {
    throw new ValidationFailed('* GenerateContentRequest.contents: contents is not specified', { param: 'contents' })
  }
  const config = isRecord(body.generationConfig) ? body.generationConfig : {}
  const max = config.maxOutputTokens
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
    throw new ValidationFailed('* GenerateContentRequest.generation_config.max_output_tokens: must be a positive integer', { param: 'generationConfig.maxOutputTokens' })
  }
  return { dialect: 'gemini', body, bodyChars, model, stream, includeUsage: true, maxOutputTokens: typeof max === 'number' ? max : undefined, framing }
}

/**
 * A countTokens body: `{contents}` or `{generateContentRequest}` (what a generateContent call would
 * send, system instruction and tools included), counted as that request.
 */
export function parseCountTokensCall(body: unknown, bodyChars: number, model: string): RelayCall {
  if (!isRecord(body)) throw new ValidationFailed('Invalid JSON payload received. The request body must be a JSON object.', { param: null })
  const { generateContentRequest: request, ...rest } = body
  if (request !== undefined && !isRecord(request)) {
    throw new ValidationFailed('* CountTokensRequest.generate_content_request: must be an object', { param: 'generateContentRequest' })
  }
  if (request && Object.keys(rest).length > 0) {
    throw new ValidationFailed('* CountTokensRequest: give either contents or generateContentRequest, not both', { param: 'contents' })
  }
  const generate = request ?? body
  if (!Array.isArray(generate.contents) || generate.contents.length === 0) {
    throw new ValidationFailed('* CountTokensRequest.contents: contents is not specified', { param: 'contents' })
  }
  return { dialect: 'gemini', body: generate, bodyChars, model, stream: false, includeUsage: false }
}
