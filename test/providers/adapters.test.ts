import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { OutboundAddressRefused, ProviderError, type CompletionRequest, type ProviderEvent, type ProviderKind } from '../../src/features/providers/ai-provider.port.ts'
import { HttpAiProvider } from '../../src/features/providers/adapters/http-ai-provider.ts'
import { RetryingAiProvider } from '../../src/features/providers/retrying-ai-provider.ts'
import { UpstreamBudget } from '../../src/features/providers/upstream-budget.ts'
import { UndiciTransport } from '../../src/shared/outbound/undici-transport.ts'
import { parseRetryAfter } from '../../src/features/providers/adapters/provider-errors.ts'
import { countTokens, DEFAULT_TEXT, startUpstream, UPSTREAM_KEY, type Scenario, type Upstream } from '../support/upstream/server.ts'

let upstream: Upstream
beforeAll(async () => {
  upstream = await startUpstream()
})
afterAll(() => upstream.close())
afterEach(() => upstream.reset())

const provider = new HttpAiProvider(new UndiciTransport({ connectMs: 10_000, headersMs: 60_000, idleMs: 120_000 }))
const KINDS: ProviderKind[] = ['openai', 'anthropic', 'gemini']
const MODELS: Record<ProviderKind, string> = { openai: 'gpt-4o', anthropic: 'claude-sonnet-4-20250514', gemini: 'gemini-2.5-flash' }

function request(kind: ProviderKind, overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    provider: kind,
    baseUrl: kind === 'openai' ? `${upstream.url}/v1` : upstream.url,
    apiKey: UPSTREAM_KEY,
    model: MODELS[kind],
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'Hello there' }],
    maxOutputTokens: 100,
    ...overrides,
  }
}

async function collect(kind: ProviderKind, scenario: Scenario = {}, overrides: Partial<CompletionRequest> = {}) {
  upstream.enqueue(scenario)
  const events: ProviderEvent[] = []
  try {
    for await (const event of provider.stream(request(kind, overrides))) events.push(event)
    return { events, error: undefined, text: textOf(events) }
  } catch (error) {
    return { events, error: error as ProviderError, text: textOf(events) }
  }
}

const textOf = (events: ProviderEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('')

describe.each(KINDS)('%s adapter', (kind) => {
  it('streams deltas, then usage, then finish', async () => {
    const { events, error, text } = await collect(kind, { chunks: 5, cachedTokens: 2, reasoningTokens: 3 })
    expect(error).toBeUndefined()
    expect(text).toBe(DEFAULT_TEXT)
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta', 'delta', 'delta', 'delta', 'usage', 'finish'])
    expect(events.at(-2)).toEqual({
      type: 'usage',
      usage: {
        inputTokens: countTokens(['Be brief.', 'Hello there']),
        outputTokens: 5 + 3,
        cachedTokens: 2,
        // Anthropic reports thinking inside output_tokens only.
        reasoningTokens: kind === 'anthropic' ? undefined : 3,
        ...(kind === 'anthropic' && { cacheWriteTokens: 0 }),
      },
    })
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' })
  })

  it('normalises finish reasons', async () => {
    const truncated = await collect(kind, { chunks: 4 }, { maxOutputTokens: 2 })
    expect(truncated.events.at(-1)).toMatchObject({ type: 'finish', reason: 'length' })
    const filtered = await collect(kind, { finish: 'content_filter' })
    expect(filtered.events.at(-1)).toMatchObject({ type: 'finish', reason: 'content_filter' })
  })

  it('parses CR and CRLF framing with heartbeats', async () => {
    for (const lineEnding of ['\r\n', '\r'] as const) {
      const { text, error } = await collect(kind, { chunks: 3, lineEnding, heartbeat: true })
      expect(error).toBeUndefined()
      expect(text).toBe(DEFAULT_TEXT)
    }
  })

  it.each([
    ['auth', 'PROVIDER_AUTH_FAILED', false],
    ['rate_limit', 'PROVIDER_RATE_LIMITED', true],
    ['overloaded', 'PROVIDER_UNAVAILABLE', true],
    ['server', 'PROVIDER_UNAVAILABLE', true],
    ['timeout', 'PROVIDER_UNAVAILABLE', true],
    ['bad_request', 'PROVIDER_BAD_REQUEST', false],
    ['not_found', 'PROVIDER_BAD_REQUEST', false],
    ['context_length', 'CONTEXT_TOO_LONG', false],
  ] as const)('maps %s to %s', async (fail, code, retryable) => {
    const { error, events } = await collect(kind, { fail, retryAfter: 7, contextWindow: 3 })
    expect(events).toEqual([])
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code, retryable, midStream: false, provider: kind })
    // OpenAI echoes a masked key in its 401 message; the adapter redacts it.
    const raw = await rawErrorMessage(kind, fail)
    expect(error?.providerMessage).toBe(raw.replace(/(API key provided: )\S+/, '$1[redacted].'))
    if (fail === 'rate_limit') expect(error?.retryAfterSeconds).toBe(7)
    if (fail === 'context_length') expect(error?.context).toEqual({ limit: 3, requested: countTokens(['Be brief.', 'Hello there']) })
  })

  it('maps a wrong key to PROVIDER_AUTH_FAILED without leaking the key', async () => {
    const apiKey = 'sk-not-the-right-key-42424242'
    const { error } = await collect(kind, {}, { apiKey })
    expect(error).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', retryable: false, status: kind === 'gemini' ? 400 : 401 })
    for (const text of [error?.message, error?.providerMessage, JSON.stringify(error), error?.stack]) {
      expect(text).not.toContain(apiKey)
      expect(text).not.toContain(apiKey.slice(-4))
    }
  })

  it('redacts the key when the provider echoes it', async () => {
    const { error } = await collect(kind, { fail: 'bad_request', message: `bad header value ${UPSTREAM_KEY} given` })
    expect(error?.providerMessage).toBe('bad header value [redacted] given')
    expect(error?.message).not.toContain(UPSTREAM_KEY)
  })

  it('throws a midStream ProviderError after the first deltas', async () => {
    const { events, error } = await collect(kind, { chunks: 4, midStreamErrorAfter: 2, midStreamError: 'overloaded' })
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta'])
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', midStream: true, status: 200, retryable: true })
  })

  it('throws when the connection drops mid-stream', async () => {
    const { events, error } = await collect(kind, { chunks: 4, dropAfter: 2 })
    expect(events.map((e) => e.type)).toEqual(['delta', 'delta'])
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', midStream: true, retryable: true })
  })

  it('closes the upstream connection when the signal aborts', async () => {
    const controller = new AbortController()
    upstream.enqueue({ text: 'x'.repeat(100), chunks: 100, delayMs: 50 }) // 5 s if not aborted
    const events: ProviderEvent[] = []
    const started = Date.now()
    const error = await (async () => {
      for await (const event of provider.stream(request(kind, { signal: controller.signal }))) {
        events.push(event)
        controller.abort()
      }
    })().catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AbortError' })
    expect(events).toHaveLength(1)
    expect(Date.now() - started).toBeLessThan(1_500)
    await upstream.waitForClientClose(1)
  })

  it('aborts while waiting for the response headers', async () => {
    const controller = new AbortController()
    upstream.enqueue({ headersDelayMs: 2_000 })
    setTimeout(() => controller.abort(), 50)
    const error = await collectAll(provider.stream(request(kind, { signal: controller.signal }))).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'AbortError' })
    await upstream.waitForClientClose(1)
  })

  it('closes the upstream connection when the consumer stops early', async () => {
    upstream.enqueue({ chunks: 20, delayMs: 30 })
    for await (const event of provider.stream(request(kind))) {
      expect(event.type).toBe('delta')
      break
    }
    await upstream.waitForClientClose(1)
  })

  it('maps a refused connection to a retryable network error', async () => {
    const closed = await startUpstream()
    await closed.close()
    const baseUrl = kind === 'openai' ? `${closed.url}/v1` : closed.url
    const error = await collectAll(provider.stream(request(kind, { baseUrl }))).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 0, retryable: true, midStream: false })
  })
})

async function collectAll(stream: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const events: ProviderEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

/** The provider message the upstream sends for `fail`, fetched with a plain request. */
async function rawErrorMessage(kind: ProviderKind, fail: Scenario['fail']): Promise<string> {
  upstream.enqueue({ fail, retryAfter: 7, contextWindow: 3 })
  const r = request(kind)
  const [url, headers, body] =
    kind === 'openai'
      ? [`${r.baseUrl}/chat/completions`, { authorization: `Bearer ${r.apiKey}` }, { model: r.model, messages: [{ role: 'system', content: r.system }, ...r.messages] }]
      : kind === 'anthropic'
        ? [`${r.baseUrl}/v1/messages`, { 'x-api-key': r.apiKey, 'anthropic-version': '2023-06-01' }, { model: r.model, max_tokens: 10, system: r.system, messages: r.messages }]
        : [`${r.baseUrl}/v1beta/models/${r.model}:generateContent`, { 'x-goog-api-key': r.apiKey }, { systemInstruction: { parts: [{ text: r.system }] }, contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }] }]
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const json = (await response.json()) as { error: { message: string } }
  return json.error.message
}

describe('request shapes', () => {
  const turns: CompletionRequest['messages'] = [
    { role: 'assistant', content: 'left over from truncation' },
    { role: 'user', content: 'first' },
    { role: 'user', content: 'second' },
    { role: 'assistant', content: 'reply' },
    { role: 'assistant', content: '' },
    { role: 'user', content: 'third' },
  ]
  const params = { temperature: 0.3, topP: 0.9, stop: ['END'], maxOutputTokens: 50 }

  it('openai: bearer auth, system message, include_usage, max_tokens', async () => {
    await collect('openai', {}, { messages: turns, params })
    const r = upstream.requests[0]
    expect(r?.path).toBe('/v1/chat/completions')
    expect(r?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(r?.body).toMatchObject({
      model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, max_tokens: 50, temperature: 0.3, top_p: 0.9, stop: ['END'],
    })
    expect((r?.body as { messages: unknown[] }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' })
  })

  it('openai: reasoning models get max_completion_tokens and no sampling params', async () => {
    await collect('openai', {}, { model: 'o4-mini', params })
    const body = upstream.requests[0]?.body as Record<string, unknown>
    expect(body.max_completion_tokens).toBe(50)
    expect(body).not.toHaveProperty('max_tokens')
    expect(body).not.toHaveProperty('temperature')
  })

  it('anthropic: top-level system, alternating turns starting with user, max_tokens', async () => {
    await collect('anthropic', {}, { messages: turns, params })
    const r = upstream.requests[0]
    expect(r?.headers).toMatchObject({ 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' })
    expect(r?.body).toMatchObject({ system: 'Be brief.', max_tokens: 50, stream: true, stop_sequences: ['END'] })
    expect((r?.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'first\n\nsecond' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'third' },
    ])
  })

  it('gemini: user/model roles, systemInstruction, generationConfig, header key', async () => {
    await collect('gemini', {}, { messages: turns, params })
    const r = upstream.requests[0]
    expect(r?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
    expect(r?.headers['x-goog-api-key']).toBe(UPSTREAM_KEY)
    expect(r?.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'first\n\nsecond' }] },
        { role: 'model', parts: [{ text: 'reply' }] },
        { role: 'user', parts: [{ text: 'third' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { maxOutputTokens: 50, temperature: 0.3, topP: 0.9, stopSequences: ['END'] },
    })
  })
})

describe('dialect specifics', () => {
  it('openai: insufficient_quota is not retryable', async () => {
    const { error } = await collect('openai', { fail: 'quota' })
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', retryable: false, providerCode: 'insufficient_quota' })
  })

  it('anthropic: 529 overloaded keeps the status and type', async () => {
    const { error } = await collect('anthropic', { fail: 'overloaded' })
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 529, providerCode: 'overloaded_error', providerMessage: 'Overloaded' })
  })

  it('anthropic: a raw stop reason is kept next to the normalised one', async () => {
    const { events } = await collect('anthropic', { rawFinish: 'stop_sequence' })
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop', rawReason: 'stop_sequence' })
  })

  it('gemini: a blocked prompt is a content_filter finish with the block reason', async () => {
    const { events, error } = await collect('gemini', { blocked: true })
    expect(error).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual(['usage', 'finish'])
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'content_filter', rawReason: 'SAFETY' })
  })

  it('gemini: an SSE-framed mid-stream error is recognised too', async () => {
    const { events, error } = await collect('gemini', { chunks: 3, midStreamErrorAfter: 1, midStreamError: 'server', midStreamFraming: 'sse' })
    expect(events).toHaveLength(1)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', midStream: true, providerCode: 'INTERNAL' })
  })

  it('gemini: a mid-stream 429 keeps its rate-limit code', async () => {
    const { error } = await collect('gemini', { chunks: 3, midStreamErrorAfter: 1, midStreamError: 'rate_limit', lineEnding: '\r\n' })
    expect(error).toMatchObject({ code: 'PROVIDER_RATE_LIMITED', midStream: true })
  })

  it('unknown provider kinds fail with PROVIDER_BAD_REQUEST', async () => {
    const error = await collectAll(provider.stream({ ...request('openai'), provider: 'cohere' as ProviderKind })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_BAD_REQUEST' })
  })
})

describe('parseRetryAfter', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(0.25)
    expect(parseRetryAfter(new Headers({ 'retry-after': '12' }))).toBe(12)
    const now = Date.parse('2025-01-01T00:00:00Z')
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(30)
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined()
    expect(parseRetryAfter(new Headers())).toBeUndefined()
  })
})

describe('a hung upstream', () => {
  const impatient = new RetryingAiProvider(new HttpAiProvider(new UndiciTransport({ connectMs: 2_000, headersMs: 300, idleMs: 300 })), { baseDelayMs: 1 })

  it.each(KINDS)('%s: no headers in time is one 504 timeout, not retried', async (kind) => {
    upstream.enqueue({ headersDelayMs: 3_000 }, { headersDelayMs: 3_000 }, { headersDelayMs: 3_000 })
    const error = await collectAll(impatient.stream(request(kind))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 504, retryable: false, providerCode: 'headers_timeout' })
    expect(upstream.requests).toHaveLength(1)
  })

  it.each(KINDS)('%s: a stream that goes silent ends with an idle timeout', async (kind) => {
    upstream.enqueue({ chunks: 3, delayMs: 2_000 })
    const error = await collectAll(impatient.stream(request(kind))).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: false, providerCode: 'idle_timeout' })
    expect(upstream.requests).toHaveLength(1)
  })
})

describe('the total deadline (UPSTREAM_TOTAL_TIMEOUT_MS)', () => {
  // Header and idle timeouts far away: only the total deadline can end these calls.
  const bounded = new RetryingAiProvider(new HttpAiProvider(new UndiciTransport({ connectMs: 2_000, headersMs: 60_000, idleMs: 60_000, totalMs: 500 })), { baseDelayMs: 1 })

  it.each(KINDS)('%s: an upstream that never answers is one 504 total_timeout, not retried', async (kind) => {
    upstream.enqueue({ headersDelayMs: 5_000 }, { headersDelayMs: 5_000 }, { headersDelayMs: 5_000 })
    const error = await collectAll(bounded.stream(request(kind))).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 504, retryable: false, providerCode: 'total_timeout' })
    expect(upstream.requests).toHaveLength(1)
  })

  it.each(KINDS)('%s: a stream that keeps trickling heartbeats and text never outlives it', async (kind) => {
    upstream.enqueue({ chunks: 200, delayMs: 40, heartbeat: true, text: 'x'.repeat(200) })
    const events: ProviderEvent[] = []
    const error = await (async () => {
      for await (const event of bounded.stream(request(kind, { maxOutputTokens: 1000 }))) events.push(event)
    })().catch((e: unknown) => e)
    expect(events.length).toBeGreaterThan(0)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', midStream: true, providerCode: 'total_timeout' })
    expect(upstream.requests).toHaveLength(1)
  })

  it.each(KINDS)('%s: one deadline over every attempt of a call: retries do not extend it', async (kind) => {
    // Each answer takes 300 ms of the 500: the retry after the first 503 runs out of time.
    upstream.enqueue(...Array.from({ length: 3 }, () => ({ headersDelayMs: 300, fail: 'overloaded' as const })))
    const budget = new UpstreamBudget()
    const error = await collectAll(bounded.stream({ ...request(kind), budget })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', status: 504, providerCode: 'total_timeout' })
    expect(upstream.requests).toHaveLength(2)
    expect(budget.attempts).toBe(2)
  })

  it.each(KINDS)('%s: the attempts of a call are counted against its budget', async (kind) => {
    upstream.enqueue(...Array.from({ length: 3 }, () => ({ fail: 'overloaded' as const })))
    const budget = new UpstreamBudget(2)
    const error = await collectAll(bounded.stream({ ...request(kind), budget })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true })
    expect(upstream.requests).toHaveLength(2)
  })
})

describe('a restricted call (a personal model) to the loopback test upstream', () => {
  const guarded = new RetryingAiProvider(new HttpAiProvider(new UndiciTransport({ connectMs: 2_000, headersMs: 2_000, idleMs: 2_000 })), { baseDelayMs: 1 })

  it.each(KINDS)('%s: OutboundAddressRefused, never retried, nothing reaches the upstream', async (kind) => {
    const error = await collectAll(guarded.stream(request(kind, { restricted: true }))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OutboundAddressRefused)
    expect(error).toMatchObject({ code: 'OUTBOUND_ADDRESS_REFUSED', message: expect.stringContaining('127.0.0.1 is a loopback address') })
    expect(upstream.requests).toHaveLength(0)
    // Unrestricted (a system model), the same call goes through.
    expect((await collectAll(guarded.stream(request(kind)))).length).toBeGreaterThan(0)
  })
})
