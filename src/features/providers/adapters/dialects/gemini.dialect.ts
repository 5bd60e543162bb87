import type { ChatTurn, CompletionRequest, ContentPart, FinishReason, ProviderEvent, TokenUsage, ToolChoice, UpstreamCredential } from '../../ai-provider.port.ts'
import { imageTypeOfUrl, inlineImage, toolInput } from '../../content-parts.ts'
import { errorFromStreamPayload, protocolError } from '../provider-errors.ts'
import type { SseItem } from '../sse.ts'
import { alternatingTurns, isRecord, num, outputBudget, parseEventJson, trimSlash } from '../shared.ts'
import { NO_EVENTS, type ProviderDialect, type StreamDecoder } from './dialect.ts'

/**
 * Gemini API: POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse with an API key.
 * With an OAuth account (Gemini CLI style) the same request goes to the Code Assist API,
 * POST {baseUrl}/v1internal:streamGenerateContent?alt=sse, wrapped as {model, project, request},
 * and every response chunk comes wrapped as {response: chunk}.
 */

interface GeminiUsage {
  promptTokenCount?: number
  candidatesTokenCount?: number
  thoughtsTokenCount?: number
  cachedContentTokenCount?: number
}
interface GeminiChunk {
  error?: unknown
  candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean; functionCall?: { id?: string; name?: string; args?: unknown } }> }; finishReason?: string }>
  promptFeedback?: { blockReason?: string }
  usageMetadata?: GeminiUsage
}

const FINISH: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
}

const bareModel = (model: string) => model.replace(/^models\//, '')

function jsonObject(text: string): Record<string, unknown> | undefined {
  const value = tryJson(text)
  return isRecord(value) && !Array.isArray(value) ? value : undefined
}

/**
 * A tool result as Gemini's functionResponse.response (an object): a JSON object result as it is,
 * other text under `output`, an error under `error` (the keys Gemini's documentation gives).
 */
export function functionResponseOf(content: string, isError: boolean | undefined): Record<string, unknown> {
  if (isError) return { error: jsonObject(content) ?? content }
  return jsonObject(content) ?? { output: content }
}

function geminiPart(part: ContentPart): unknown {
  switch (part.type) {
    case 'text':
      return { text: part.text }
    case 'image': {
      const inline = inlineImage(part.image)
      if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } }
      const url = part.image.kind === 'url' ? part.image.url : ''
      return { fileData: { mimeType: imageTypeOfUrl(url), fileUri: url } }
    }
    case 'tool_call':
      return { functionCall: { name: part.name, args: toolInput(part.arguments) ?? {} } }
    case 'tool_result':
      return { functionResponse: { name: part.name ?? part.toolCallId, response: functionResponseOf(part.content, part.isError) } }
  }
}

const contentOf = (turn: ChatTurn) => ({
  role: turn.role === 'assistant' ? 'model' : 'user',
  parts: turn.parts ? turn.parts.map(geminiPart) : [{ text: turn.content }],
})

const MODES: Record<Exclude<ToolChoice['type'], 'tool'>, string> = { auto: 'AUTO', none: 'NONE', required: 'ANY' }

function toolFields(request: CompletionRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (request.tools?.length) {
    const declarations = request.tools.map((t) => ({
      name: t.name,
      ...(t.description !== undefined && { description: t.description }),
      // JSON Schema as the client wrote it; `parameters` takes only Gemini's OpenAPI subset.
      ...(t.parameters && { parametersJsonSchema: t.parameters }),
    }))
    out.tools = [{ functionDeclarations: declarations }]
  }
  const choice = request.toolChoice
  if (choice) {
    out.toolConfig = {
      functionCallingConfig: choice.type === 'tool' ? { mode: 'ANY', allowedFunctionNames: [choice.name] } : { mode: MODES[choice.type] },
    }
  }
  return out
}

function jsonMode(request: CompletionRequest): Record<string, unknown> {
  const format = request.responseFormat
  if (!format) return {}
  return { responseMimeType: 'application/json', ...(format.type === 'json_schema' && { responseJsonSchema: format.schema }) }
}

export function geminiRequestBody(request: CompletionRequest): Record<string, unknown> {
  const params = request.params ?? {}
  const systemTexts = request.systemParts && request.systemParts.length > 1 ? request.systemParts : request.system ? [request.system] : []
  return {
    contents: alternatingTurns(request.messages).map(contentOf),
    ...(systemTexts.length > 0 ? { systemInstruction: { parts: systemTexts.map((text) => ({ text })) } } : {}),
    ...toolFields(request),
    generationConfig: {
      maxOutputTokens: outputBudget(request),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.topP !== undefined ? { topP: params.topP } : {}),
      ...(params.topK !== undefined ? { topK: params.topK } : {}),
      ...(params.stop && params.stop.length > 0 ? { stopSequences: params.stop } : {}),
      ...(params.seed !== undefined ? { seed: params.seed } : {}),
      ...(params.presencePenalty !== undefined ? { presencePenalty: params.presencePenalty } : {}),
      ...(params.frequencyPenalty !== undefined ? { frequencyPenalty: params.frequencyPenalty } : {}),
      ...jsonMode(request),
    },
  }
}

/** Gemini's candidatesTokenCount excludes thinking; thoughts are billed as output, so we add them. */
function mapUsage(u: GeminiUsage): TokenUsage {
  const candidates = num(u.candidatesTokenCount)
  const thoughts = num(u.thoughtsTokenCount)
  return {
    inputTokens: num(u.promptTokenCount),
    outputTokens: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    cachedTokens: num(u.cachedContentTokenCount),
    reasoningTokens: thoughts,
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

class GeminiDecoder implements StreamDecoder {
  private usage: GeminiUsage | undefined
  private finish: string | undefined
  private promptBlocked = false
  private stray = ''
  private toolCalls = 0

  constructor(
    private readonly secret: string,
    private readonly wrapped: boolean,
  ) {}

  push(item: SseItem): ProviderEvent[] {
    if (item.kind === 'stray') {
      // Gemini can inject a raw (pretty-printed) JSON error body into a 200 stream.
      this.stray = item.line.startsWith('{') ? item.line : `${this.stray}\n${item.line}`.slice(-65_536)
      const payload = this.stray.startsWith('{') ? tryJson(this.stray) : undefined
      if (isRecord(payload) && payload.error) throw errorFromStreamPayload('gemini', payload, this.secret)
      return NO_EVENTS
    }
    if (item.kind !== 'event') return NO_EVENTS
    const parsed = parseEventJson('gemini', item.data)
    const chunk = this.wrapped && isRecord(parsed) && isRecord(parsed.response) ? parsed.response : parsed
    if (!isRecord(chunk)) return NO_EVENTS
    const { error, candidates, promptFeedback, usageMetadata } = chunk as GeminiChunk
    if (error) throw errorFromStreamPayload('gemini', chunk, this.secret)
    if (isRecord(usageMetadata)) this.usage = usageMetadata // cumulative: the last one wins
    const candidate = Array.isArray(candidates) ? candidates[0] : undefined
    if (!candidate && promptFeedback?.blockReason) {
      // A blocked prompt is a 200 with no candidates; report it as a content-filter finish.
      this.finish = promptFeedback.blockReason
      this.promptBlocked = true
      return NO_EVENTS
    }
    if (candidate?.finishReason) this.finish = candidate.finishReason
    const parts = candidate?.content?.parts
    if (!Array.isArray(parts)) return NO_EVENTS
    const events: ProviderEvent[] = []
    for (const part of parts) {
      if (!isRecord(part)) continue
      // Thought summaries (thought: true) are not answer text.
      if (typeof part.text === 'string' && part.text !== '' && !part.thought) events.push({ type: 'delta', text: part.text })
      const call = part.functionCall
      if (isRecord(call) && typeof call.name === 'string') {
        // Gemini sends each call whole; it names no id unless the client gave ids, so one is made up.
        const index = this.toolCalls++
        const id = typeof call.id === 'string' && call.id ? call.id : `call_${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`
        events.push({ type: 'tool_call', index, id, name: call.name, argumentsDelta: JSON.stringify(isRecord(call.args) ? call.args : {}) })
      }
    }
    return events
  }

  end(): ProviderEvent[] {
    // Gemini has no terminator: a stream that ends without a finishReason was cut off.
    if (this.finish === undefined) throw protocolError('gemini', 'stream ended without a finishReason', true)
    const events: ProviderEvent[] = this.usage ? [{ type: 'usage', usage: mapUsage(this.usage) }] : []
    // Gemini finishes a turn of function calls with STOP.
    const reason = this.promptBlocked ? 'content_filter' : this.toolCalls > 0 && this.finish === 'STOP' ? 'tool_calls' : (FINISH[this.finish] ?? 'other')
    events.push({ type: 'finish', reason, rawReason: this.finish })
    return events
  }
}

const isCodeAssist = (credential: UpstreamCredential) => credential.type === 'oauth'

export const geminiDialect: ProviderDialect = {
  kind: 'gemini',
  completionUrl(baseUrl, model, stream, credential) {
    const verb = stream ? 'streamGenerateContent?alt=sse' : 'generateContent'
    if (isCodeAssist(credential)) return `${trimSlash(baseUrl)}/v1internal:${verb}`
    return `${trimSlash(baseUrl)}/v1beta/models/${encodeURIComponent(bareModel(model))}:${verb}`
  },
  headers(credential): Record<string, string> {
    if (isCodeAssist(credential)) return { authorization: `Bearer ${credential.secret}` }
    return credential.secret ? { 'x-goog-api-key': credential.secret } : {}
  },
  streamBody: geminiRequestBody,
  wrapBody: (body, model, credential) =>
    isCodeAssist(credential) ? { model: bareModel(model), ...(credential.projectId ? { project: credential.projectId } : {}), request: body } : body,
  decoder: (secret, credential) => new GeminiDecoder(secret, isCodeAssist(credential)),
}
