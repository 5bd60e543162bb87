import type { AiProvider, CompletionRequest, FinishReason, ProviderEvent, TokenUsage } from '../ai-provider.port.ts'
import { postSse, trimSlash, type FetchLike } from './http-stream.ts'
import { errorFromStreamPayload, protocolError } from './provider-errors.ts'
import { alternatingTurns, isRecord, num, outputBudget, parseEventJson } from './shared.ts'

/** Gemini API: POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse. */

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

export class GeminiAdapter implements AiProvider {
  constructor(private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init)) {}

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    const model = encodeURIComponent(request.model.replace(/^models\//, ''))
    const items = postSse(
      {
        provider: 'gemini',
        url: `${trimSlash(request.baseUrl)}/v1beta/models/${model}:streamGenerateContent?alt=sse`,
        headers: { 'x-goog-api-key': request.apiKey },
        body: geminiRequestBody(request),
        apiKey: request.apiKey,
        signal: request.signal,
      },
      this.fetchImpl,
    )
    let usage: GeminiUsage | undefined
    let finish: string | undefined
    let promptBlocked = false
    let stray = ''
    for await (const item of items) {
      if (item.kind === 'stray') {
        // Gemini can inject a raw (pretty-printed) JSON error body into a 200 stream.
        stray = item.line.startsWith('{') ? item.line : `${stray}\n${item.line}`.slice(-65_536)
        const payload = stray.startsWith('{') ? tryJson(stray) : undefined
        if (isRecord(payload) && payload.error) throw errorFromStreamPayload('gemini', payload, request.apiKey)
        continue
      }
      if (item.kind !== 'event') continue
      const chunk = parseEventJson('gemini', item.data)
      if (!isRecord(chunk)) continue
      const { error, candidates, promptFeedback, usageMetadata } = chunk as GeminiChunk
      if (error) throw errorFromStreamPayload('gemini', chunk, request.apiKey)
      if (isRecord(usageMetadata)) usage = usageMetadata // cumulative: the last one wins
      const candidate = Array.isArray(candidates) ? candidates[0] : undefined
      if (!candidate && promptFeedback?.blockReason) {
        // A blocked prompt is a 200 with no candidates; report it as a content-filter finish.
        finish = promptFeedback.blockReason
        promptBlocked = true
        continue
      }
      const parts = candidate?.content?.parts
      for (const part of Array.isArray(parts) ? parts : []) {
        // Thought summaries (thought: true) are not answer text.
        if (typeof part?.text === 'string' && part.text !== '' && !part.thought) yield { type: 'delta', text: part.text }
      }
      if (candidate?.finishReason) finish = candidate.finishReason
    }
    // Gemini has no terminator: a stream that ends without a finishReason was cut off.
    if (finish === undefined) throw protocolError('gemini', 'stream ended without a finishReason', true)
    if (usage) yield { type: 'usage', usage: mapUsage(usage) }
    yield { type: 'finish', reason: promptBlocked ? 'content_filter' : (FINISH[finish] ?? 'other'), rawReason: finish }
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
