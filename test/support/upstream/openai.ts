import {
  completionTokens, normalisedFinish, overflowTokens, plan, requestId, sse, heartbeatComment, textOf, toolCallsOf,
  type Dialect, type ErrorReply, type Plan, type UpstreamErrorKind,
} from './scenario.ts'

/** OpenAI Chat Completions: POST /v1/chat/completions, `Authorization: Bearer`. */

const err = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers?: Record<string, string>): ErrorReply => ({
  status,
  headers,
  body: { error: { message, type, param, code } },
})

const masked = (key: string) => `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}`

const FINISH = { stop: 'stop', length: 'length', content_filter: 'content_filter' } as const

const finishOf = (p: Plan) => p.scenario.rawFinish ?? (p.scenario.toolCalls?.length ? 'tool_calls' : FINISH[normalisedFinish(p)])

const toolCalls = (p: Plan) => toolCallsOf(p, 'call_').map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }))

function usage(p: Plan) {
  const completion = completionTokens(p)
  return {
    prompt_tokens: p.promptTokens,
    completion_tokens: completion,
    total_tokens: p.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: p.scenario.cachedTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: p.scenario.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

function errorFor(kind: UpstreamErrorKind, p: Plan): ErrorReply {
  const s = p.scenario
  const retryAfter = String(s.retryAfter ?? 1)
  switch (kind) {
    case 'auth':
      return openai.authError('sk-wrong-key-0000')
    case 'rate_limit':
      return err(429, `Rate limit reached for ${p.model} in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfter}s. Visit https://platform.openai.com/account/rate-limits to learn more.`, 'requests', 'rate_limit_exceeded', null, {
        'retry-after': retryAfter, 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${retryAfter}s`,
      })
    case 'quota':
      return err(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.', 'insufficient_quota', 'insufficient_quota')
    case 'overloaded':
      return err(503, 'The engine is currently overloaded, please try again later', 'server_error', null)
    case 'server':
      return err(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null)
    case 'timeout':
      return err(504, 'Request timed out.', 'server_error', null)
    case 'bad_request':
      return err(400, "Invalid value for 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.", 'invalid_request_error', 'decimal_above_max_value', 'temperature')
    case 'not_found':
      return err(404, `The model \`${p.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found')
    case 'context_length': {
      const window = s.contextWindow ?? 128_000
      return err(400, `This model's maximum context length is ${window} tokens. However, your messages resulted in ${overflowTokens(p, window)} tokens. Please reduce the length of the messages.`, 'invalid_request_error', 'context_length_exceeded', 'messages')
    }
  }
}

export const openai: Dialect = {
  name: 'openai',

  apiKey: (headers) => {
    const auth = headers.authorization
    return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined
  },

  authError: (key) =>
    key
      ? err(401, `Incorrect API key provided: ${masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key')
      : err(401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.", 'invalid_request_error', null),

  validate: (body) => {
    if (typeof body.model !== 'string') return err(400, 'you must provide a model parameter', 'invalid_request_error', null)
    if (!Array.isArray(body.messages)) return err(400, "Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages')
    const messages = body.messages as Array<{ role?: string; tool_call_id?: unknown; tool_calls?: Array<{ id?: unknown }> }>
    const answered = new Set<unknown>()
    for (const [i, m] of messages.entries()) {
      if (m.role === 'assistant') {
        answered.clear()
        for (const call of m.tool_calls ?? []) answered.add(call.id)
      } else if (m.role === 'tool' && !answered.has(m.tool_call_id)) {
        return err(400, "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", 'invalid_request_error', null, `messages.[${i}].role`)
      } else if (m.role !== 'tool') answered.clear()
    }
    if (body.stream_options != null && body.stream !== true) {
      return err(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error', null, 'stream_options')
    }
    return undefined
  },

  prepare: (body, scenario, model) => {
    const messages = (body.messages as Array<{ role?: string; content?: unknown }>) ?? []
    const lastUser = messages.filter((m) => m.role === 'user').at(-1)
    return plan({
      scenario, model, body,
      promptTexts: messages.map((m) => textOf(m.content)),
      lastUserText: textOf(lastUser?.content),
      maxTokens: body.max_completion_tokens ?? body.max_tokens,
    })
  },

  error: errorFor,

  json: (p) => ({
    id: requestId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: p.model,
    choices: [{
      index: 0,
      message: p.scenario.toolCalls?.length
        ? { role: 'assistant', content: null, tool_calls: toolCalls(p), refusal: null, annotations: [] }
        : { role: 'assistant', content: p.pieces.join(''), refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: finishOf(p),
    }],
    usage: usage(p),
    service_tier: 'default',
    system_fingerprint: 'fp_test',
  }),

  stream: (p) => {
    const id = requestId('chatcmpl-')
    const created = Math.floor(Date.now() / 1000)
    const includeUsage = (p.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true
    const chunk = (choices: unknown[], extra: object = {}) =>
      sse(p, JSON.stringify({
        id, object: 'chat.completion.chunk', created, model: p.model, service_tier: 'default', system_fingerprint: 'fp_test', choices,
        ...(includeUsage ? { usage: null } : {}), ...extra,
      }))
    const choice = (delta: object, finish: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finish })
    return {
      head: [chunk([choice({ role: 'assistant', content: '', refusal: null })])],
      delta: (text) => chunk([choice({ content: text })]),
      tail: [
        ...toolCalls(p).flatMap((call, index) => [
          chunk([choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] })]),
          chunk([choice({ tool_calls: [{ index, function: { arguments: call.function.arguments } }] })]),
        ]),
        chunk([choice({}, finishOf(p))]),
        ...(includeUsage ? [chunk([], { usage: usage(p) })] : []),
        sse(p, '[DONE]'),
      ],
      heartbeat: heartbeatComment(p),
      midStreamError: (kind) =>
        sse(p, JSON.stringify(kind === 'rate_limit'
          ? { error: { message: 'Rate limit reached. Please try again later.', type: 'tokens', param: null, code: 'rate_limit_exceeded' } }
          : { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } })),
    }
  },
}
