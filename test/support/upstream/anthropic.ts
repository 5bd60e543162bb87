import {
  completionTokens, normalisedFinish, overflowTokens, plan, requestId, sse, textOf, toolCallsOf,
  type Dialect, type ErrorReply, type Plan, type UpstreamErrorKind,
} from './scenario.ts'

/** Anthropic Messages: POST /v1/messages, `x-api-key` + `anthropic-version`. */

const err = (status: number, type: string, message: string, headers?: Record<string, string>): ErrorReply => ({
  status,
  headers: { 'request-id': requestId('req_'), ...headers },
  body: { type: 'error', error: { type, message }, request_id: requestId('req_') },
})

const STOP = { stop: 'end_turn', length: 'max_tokens', content_filter: 'refusal' } as const
const stopOf = (p: Plan) => p.scenario.rawFinish ?? (p.scenario.toolCalls?.length ? 'tool_use' : STOP[normalisedFinish(p)])

const toolUses = (p: Plan) => toolCallsOf(p, 'toolu_').map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments) as unknown }))

/** Anthropic's input_tokens excludes cache reads: the simulator's prompt count is split. */
function startUsage(p: Plan) {
  const cached = p.scenario.cachedTokens ?? 0
  const written = p.scenario.cacheWriteTokens ?? 0
  return {
    input_tokens: p.promptTokens - cached - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: 1,
    service_tier: 'standard',
  }
}

function errorFor(kind: UpstreamErrorKind, p: Plan): ErrorReply {
  const retryAfter = String(p.scenario.retryAfter ?? 1)
  switch (kind) {
    case 'auth':
      return anthropic.authError('wrong')
    case 'rate_limit':
      return err(429, 'rate_limit_error', 'This request would exceed the rate limit for your organization (org-test) of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.', {
        'retry-after': retryAfter, 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0',
      })
    case 'quota':
      return err(400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.')
    case 'overloaded':
      return err(529, 'overloaded_error', 'Overloaded')
    case 'server':
      return err(500, 'api_error', 'Internal server error')
    case 'timeout':
      return err(504, 'timeout_error', 'Request timeout')
    case 'bad_request':
      return err(400, 'invalid_request_error', 'temperature: range: 0..1')
    case 'not_found':
      return err(404, 'not_found_error', `model: ${p.model}`)
    case 'context_length': {
      const window = p.scenario.contextWindow ?? 200_000
      return err(400, 'invalid_request_error', `prompt is too long: ${overflowTokens(p, window)} tokens > ${window} maximum`)
    }
  }
}

type Block = { type?: string; id?: unknown; tool_use_id?: unknown; text?: unknown }
const blocksOf = (content: unknown): Block[] => (Array.isArray(content) ? (content as Block[]) : [])

/** The real API's checks on tool results and text blocks, with its messages. */
function toolResultError(messages: Array<{ content?: unknown }>): ErrorReply | undefined {
  for (const [i, m] of messages.entries()) {
    const blocks = blocksOf(m.content)
    if (blocks.some((b) => b.type === 'text' && b.text === '')) return err(400, 'invalid_request_error', 'messages: text content blocks must be non-empty')
    const uses = new Set(blocksOf(messages[i - 1]?.content).filter((b) => b.type === 'tool_use').map((b) => b.id))
    const first = blocks.findIndex((b) => b.type !== 'tool_result')
    for (const [j, b] of blocks.entries()) {
      if (b.type !== 'tool_result') continue
      if (!uses.has(b.tool_use_id)) {
        return err(400, 'invalid_request_error', `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`)
      }
      if (first >= 0 && j > first) return err(400, 'invalid_request_error', `messages.${i}: tool_result blocks must come first in the content`)
    }
  }
  return undefined
}

export const anthropic: Dialect = {
  name: 'anthropic',

  // OAuth access tokens come as a bearer, and only count with the OAuth beta flag (as the real API does).
  apiKey: (headers) => {
    if (typeof headers['x-api-key'] === 'string') return headers['x-api-key']
    const bearer = typeof headers.authorization === 'string' ? /^Bearer (.+)$/.exec(headers.authorization)?.[1] : undefined
    return bearer && String(headers['anthropic-beta'] ?? '').split(',').includes('oauth-2025-04-20') ? bearer : undefined
  },

  authError: (key) => err(401, 'authentication_error', key ? 'invalid x-api-key' : 'x-api-key header is required'),

  validate: (body, headers) => {
    if (!headers['anthropic-version']) return err(400, 'invalid_request_error', 'anthropic-version: header is required')
    if (typeof body.model !== 'string') return err(400, 'invalid_request_error', 'model: Field required')
    if (typeof body.max_tokens !== 'number') return err(400, 'invalid_request_error', 'max_tokens: Field required')
    if (!Array.isArray(body.messages)) return err(400, 'invalid_request_error', 'messages: Field required')
    const bad = (body.messages as Array<{ role?: unknown }>).findIndex((m) => m.role !== 'user' && m.role !== 'assistant')
    if (bad >= 0) return err(400, 'invalid_request_error', `messages.${bad}.role: Input should be 'user' or 'assistant'`)
    return toolResultError(body.messages as Array<{ content?: unknown }>)
  },

  prepare: (body, scenario, model) => {
    const messages = body.messages as Array<{ role?: string; content?: unknown }>
    return plan({
      scenario, model, body,
      promptTexts: [textOf(body.system), ...messages.map((m) => textOf(m.content))],
      lastUserText: textOf(messages.filter((m) => m.role === 'user').at(-1)?.content),
      maxTokens: body.max_tokens,
    })
  },

  error: errorFor,

  json: (p) => ({
    id: requestId('msg_'),
    type: 'message',
    role: 'assistant',
    model: p.model,
    content: p.scenario.toolCalls?.length ? toolUses(p) : [{ type: 'text', text: p.pieces.join('') }],
    stop_reason: stopOf(p),
    stop_sequence: null,
    usage: { ...startUsage(p), output_tokens: completionTokens(p) },
  }),

  stream: (p) => {
    const event = (type: string, data: object) => sse(p, JSON.stringify({ type, ...data }), type)
    return {
      head: [
        event('message_start', {
          message: { id: requestId('msg_'), type: 'message', role: 'assistant', model: p.model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage(p) },
        }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('ping', {}),
      ],
      delta: (text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
      tail: [
        event('content_block_stop', { index: 0 }),
        ...toolUses(p).flatMap((use, i) => [
          event('content_block_start', { index: i + 1, content_block: { ...use, input: {} } }),
          event('content_block_delta', { index: i + 1, delta: { type: 'input_json_delta', partial_json: JSON.stringify(use.input) } }),
          event('content_block_stop', { index: i + 1 }),
        ]),
        event('message_delta', { delta: { stop_reason: stopOf(p), stop_sequence: null }, usage: { output_tokens: completionTokens(p) } }),
        event('message_stop', {}),
      ],
      heartbeat: event('ping', {}),
      midStreamError: (kind) => {
        const [type, message] = kind === 'overloaded' ? ['overloaded_error', 'Overloaded'] : kind === 'rate_limit' ? ['rate_limit_error', 'Rate limited'] : ['api_error', 'Internal server error']
        return event('error', { error: { type, message }, request_id: requestId('req_') })
      },
    }
  },
}
