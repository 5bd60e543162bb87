import type { CompletionRequest, FinishReason, ProviderEvent, TokenUsage, UpstreamCredential } from '../../ai-provider.port.ts'
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
  candidates?: Array<{ content?: { parts?: Array<{ text?: string; thought?: boolean }> }; finishReason?: string }>
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

export function geminiRequestBody(request: CompletionRequest): Record<string, unknown> {
  const params = request.params ?? {}
  return {
    contents: alternatingTurns(request.messages).map((t) => ({
      role: t.role === 'assistant' ? 'model' : 'user',
      parts: [{ text: t.content }],
    })),
    ...(request.system ? { systemInstruction: { parts: [{ text: request.system }] } } : {}),
    generationConfig: {
      maxOutputTokens: outputBudget(request),
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      ...(params.topP !== undefined ? { topP: params.topP } : {}),
      ...(params.stop && params.stop.length > 0 ? { stopSequences: params.stop } : {}),
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
    // Thought summaries (thought: true) are not answer text.
    for (const part of parts) if (typeof part?.text === 'string' && part.text !== '' && !part.thought) events.push({ type: 'delta', text: part.text })
    return events
  }

  end(): ProviderEvent[] {
    // Gemini has no terminator: a stream that ends without a finishReason was cut off.
    if (this.finish === undefined) throw protocolError('gemini', 'stream ended without a finishReason', true)
    const events: ProviderEvent[] = this.usage ? [{ type: 'usage', usage: mapUsage(this.usage) }] : []
    events.push({ type: 'finish', reason: this.promptBlocked ? 'content_filter' : (FINISH[this.finish] ?? 'other'), rawReason: this.finish })
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
