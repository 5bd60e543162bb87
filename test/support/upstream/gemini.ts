import {
  completionTokens, heartbeatComment, normalisedFinish, overflowTokens, plan, requestId, sse, textOf, toolCallsOf,
  type Dialect, type ErrorReply, type Plan, type UpstreamErrorKind,
} from './scenario.ts'

/**
 * Gemini API: POST /v1beta/models/{model}:streamGenerateContent?alt=sse and :generateContent,
 * `x-goog-api-key` (or `?key=`).
 */

const err = (code: number, status: string, message: string, details?: unknown[]): ErrorReply => ({
  status: code,
  body: { error: { code, message, status, ...(details ? { details } : {}) } },
})

const FINISH = { stop: 'STOP', length: 'MAX_TOKENS', content_filter: 'SAFETY' } as const
const finishOf = (p: Plan) => p.scenario.rawFinish ?? FINISH[normalisedFinish(p)]

const QUOTA_MESSAGE = 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.'
const OVERLOADED = [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'] as const
const INTERNAL = [500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'] as const

/** usageMetadata after `emitted` candidate tokens; cumulative, like the real API. */
function usage(p: Plan, emitted: number) {
  const { cachedTokens, reasoningTokens } = p.scenario
  return {
    promptTokenCount: p.promptTokens,
    candidatesTokenCount: emitted,
    totalTokenCount: p.promptTokens + emitted + (reasoningTokens ?? 0),
    ...(cachedTokens ? { cachedContentTokenCount: cachedTokens } : {}),
    ...(reasoningTokens ? { thoughtsTokenCount: reasoningTokens } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: p.promptTokens }],
  }
}

const meta = (p: Plan) => ({ modelVersion: p.model, responseId: requestId('') })

/** Function calls as Gemini sends them: whole parts (no id), args as an object. */
const functionCalls = (p: Plan) => toolCallsOf(p, '').map((c) => ({ functionCall: { name: c.name, args: JSON.parse(c.arguments) as unknown } }))

/**
 * The GenerateContentResponse objects of a stream, one per delta (the last carries finishReason);
 * function calls come whole in one last chunk, finishing with STOP like the real API.
 */
export function geminiChunks(p: Plan): object[] {
  if (p.scenario.blocked) {
    return [{ promptFeedback: { blockReason: p.scenario.rawFinish ?? 'SAFETY' }, usageMetadata: usage(p, 0), ...meta(p) }]
  }
  if (p.scenario.toolCalls?.length) {
    return [{
      candidates: [{ content: { parts: functionCalls(p), role: 'model' }, finishReason: p.scenario.rawFinish ?? 'STOP', index: 0 }],
      usageMetadata: usage(p, completionTokens(p)),
      ...meta(p),
    }]
  }
  return p.pieces.map((text, i) => {
    const last = i === p.pieces.length - 1
    return {
      candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(last ? { finishReason: finishOf(p) } : {}), index: 0 }],
      usageMetadata: usage(p, i + 1),
      ...meta(p),
    }
  })
}

function errorFor(kind: UpstreamErrorKind, p: Plan): ErrorReply {
  switch (kind) {
    case 'auth':
      return gemini.authError('wrong')
    case 'rate_limit':
      return err(429, 'RESOURCE_EXHAUSTED', QUOTA_MESSAGE, [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${p.scenario.retryAfter ?? 1}s` },
      ])
    case 'quota':
      return err(429, 'RESOURCE_EXHAUSTED', QUOTA_MESSAGE)
    case 'overloaded':
      return err(...OVERLOADED)
    case 'server':
      return err(...INTERNAL)
    case 'timeout':
      return err(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.')
    case 'bad_request':
      return err(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.')
    case 'not_found':
      return err(404, 'NOT_FOUND', `models/${p.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`)
    case 'context_length': {
      const window = p.scenario.contextWindow ?? 1_048_576
      return err(400, 'INVALID_ARGUMENT', `The input token count (${overflowTokens(p, window)}) exceeds the maximum number of tokens allowed (${window}).`)
    }
  }
}

type Content = { role?: string; parts?: Array<{ text?: unknown }> }

export const gemini: Dialect = {
  name: 'gemini',

  apiKey: (headers, url) => {
    const header = headers['x-goog-api-key']
    return typeof header === 'string' ? header : (url.searchParams.get('key') ?? undefined)
  },

  authError: (key) =>
    key
      ? err(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'API key not valid. Please pass a valid API key.' },
        ])
      : err(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."),

  validate: (body) => {
    if (!Array.isArray(body.contents) || body.contents.length === 0) {
      return err(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n')
    }
    const roles = (body.contents as Content[]).map((c) => c.role ?? 'user')
    if (roles.some((r) => r !== 'user' && r !== 'model')) return err(400, 'INVALID_ARGUMENT', 'Please use a valid role: user, model.')
    const contents = body.contents as Array<{ parts?: Array<{ functionCall?: unknown; functionResponse?: unknown }> }>
    for (const [i, c] of contents.entries()) {
      const responses = (c.parts ?? []).filter((part) => part.functionResponse).length
      const calls = (contents[i - 1]?.parts ?? []).filter((part) => part.functionCall).length
      if (responses > 0 && responses !== calls) {
        return err(400, 'INVALID_ARGUMENT', 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.')
      }
    }
    return undefined
  },

  prepare: (body, scenario, model) => {
    const contents = body.contents as Content[]
    const system = body.systemInstruction as Content | undefined
    return plan({
      scenario, model, body,
      promptTexts: [textOf(system?.parts), ...contents.map((c) => textOf(c.parts))],
      lastUserText: textOf(contents.filter((c) => (c.role ?? 'user') === 'user').at(-1)?.parts),
      maxTokens: (body.generationConfig as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens,
    })
  },

  error: errorFor,

  json: (p) => {
    if (p.scenario.blocked || p.scenario.toolCalls?.length) return geminiChunks(p)[0]
    return {
      candidates: [{ content: { parts: [{ text: p.pieces.join('') }], role: 'model' }, finishReason: finishOf(p), index: 0 }],
      usageMetadata: usage(p, p.pieces.length),
      ...meta(p),
    }
  },

  stream: (p) => {
    const chunks = geminiChunks(p).map((c) => sse(p, JSON.stringify(c)))
    return {
      head: [],
      delta: (_text, i) => chunks[i] ?? '',
      // A blocked prompt and function calls have no deltas: their single chunk is the tail.
      tail: chunks.slice(p.pieces.length),
      heartbeat: heartbeatComment(p),
      midStreamError: (kind) => {
        const [code, status, message] = kind === 'overloaded' ? OVERLOADED : kind === 'rate_limit' ? [429, 'RESOURCE_EXHAUSTED', QUOTA_MESSAGE] as const : INTERNAL
        const body = { error: { code, message, status } }
        // The real API injects the error as a raw, pretty-printed JSON body outside SSE framing.
        return p.scenario.midStreamFraming === 'sse' ? sse(p, JSON.stringify(body)) : JSON.stringify(body, null, 2).replaceAll('\n', p.eol) + p.eol
      },
    }
  },
}
