import { anthropic } from './anthropic.ts'
import { gemini } from './gemini.ts'
import { countTokens, textOf, type ErrorReply } from './scenario.ts'

/**
 * The two token-counting endpoints: Anthropic POST /v1/messages/count_tokens and Gemini
 * POST /v1beta/models/{model}:countTokens. Counts are countTokens() over every text, like the
 * completions' usage, so a test can tell them from a tiktoken estimate.
 */

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

// count_tokens refuses what is not about the prompt, as the real API does.
const ANTHROPIC_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers'])

const toolTexts = (tools: unknown): string[] => (Array.isArray(tools) ? [JSON.stringify(tools)] : [])

export function anthropicCount(body: Json, headers: Record<string, string | string[] | undefined>): { status: number; body: unknown } {
  const invalid = anthropic.validate({ ...body, max_tokens: 1 }, headers)
  if (invalid) return invalid
  const extra = Object.keys(body).find((k) => !ANTHROPIC_FIELDS.has(k))
  if (extra) return { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: `${extra}: Extra inputs are not permitted` } } }
  const messages = body.messages as Array<{ content?: unknown }>
  return { status: 200, body: { input_tokens: countTokens([textOf(body.system), ...messages.map((m) => textOf(m.content)), ...toolTexts(body.tools)]) } }
}

export function geminiCount(body: Json): ErrorReply {
  const request = isRecord(body.generateContentRequest) ? body.generateContentRequest : undefined
  if (request && body.contents !== undefined) {
    return { status: 400, body: { error: { code: 400, message: 'contents and generateContentRequest cannot both be set', status: 'INVALID_ARGUMENT' } } }
  }
  const generate = request ?? body
  const invalid = gemini.validate(generate, {})
  if (invalid) return invalid
  const contents = generate.contents as Array<{ parts?: unknown }>
  const system = generate.systemInstruction as { parts?: unknown } | undefined
  const total = countTokens([textOf(system?.parts), ...contents.map((c) => textOf(c.parts)), ...toolTexts(generate.tools)])
  return { status: 200, body: { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] } }
}
