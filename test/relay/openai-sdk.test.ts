import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors.ts'
import { countTokens, DEFAULT_TEXT, splitText, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { eventually, RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// The official OpenAI SDK against a real listening server: what LangChain, IDE plugins and scripts see.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const client = (apiKey = RELAY_KEY) => new OpenAI({ apiKey, baseURL: `${w.url}/v1`, maxRetries: 0 })
const question = 'What is the capital of France?'
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)

describe('OpenAI SDK -> /v1/chat/completions, openai-kind model (pass-through)', () => {
  it('streams with include_usage and reports usage once', async () => {
    w.upstream.enqueue({ chunks: 3, cachedTokens: 2 })
    const { data: stream, response } = await client()
      .chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: question }], stream: true, stream_options: { include_usage: true } })
      .withResponse()
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    let text = ''
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      usage = chunk.usage ?? usage
    }
    expect(text).toBe(DEFAULT_TEXT)
    expect(usage).toMatchObject({ prompt_tokens: countTokens([question]), completion_tokens: 3, prompt_tokens_details: { cached_tokens: 2 } })
    const upstreamCall = w.upstream.requests[0]!
    expect(upstreamCall.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(upstreamCall.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } })
    await eventually(() => expect(w.recorder.entries).toHaveLength(1))
    expect(w.recorder.entries[0]).toMatchObject({ source: 'relay', apiKeyId: 'key-0001', status: 'complete', inputTokens: countTokens([question]), outputTokens: 3, cachedTokens: 2, estimated: false })
    expect(w.gate.settled).toEqual([{ inputTokens: countTokens([question]), outputTokens: 3, cachedTokens: 2 }])
  })

  it('asks upstream for usage but strips the usage chunk when the client did not ask', async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: question }], stream: true })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true)
    expect(w.upstream.requests[0]!.body).toMatchObject({ stream_options: { include_usage: true } })
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ outputTokens: 4, estimated: false }))
  })

  it('answers non-streaming requests with x-overhead-ms', async () => {
    const { data, response } = await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: question }] }).withResponse()
    expect(data.choices[0]?.message.content).toBe(DEFAULT_TEXT)
    expect(data.usage?.completion_tokens).toBe(4)
    expect(Number(response.headers.get('x-overhead-ms'))).toBeGreaterThanOrEqual(0)
    expect(w.recorder.entries[0]).toMatchObject({ status: 'complete', outputTokens: 4, ttftMs: null })
  })

  it('passes max_tokens and max_completion_tokens through as sent, plus stop, temperature, top_p', async () => {
    const short = await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, stop: ['END'], temperature: 0.3, top_p: 0.9 })
    expect(short.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: splitText(DEFAULT_TEXT, 4).slice(0, 2).join('') } })
    await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 3 })
    const [first, second] = w.upstream.requests.map((r) => r.body as Record<string, unknown>)
    expect(first).toMatchObject({ max_tokens: 2, stop: ['END'], temperature: 0.3, top_p: 0.9 })
    expect(first).not.toHaveProperty('max_completion_tokens')
    expect(second).toMatchObject({ max_completion_tokens: 3 })
    expect(second).not.toHaveProperty('max_tokens')
    expect(w.gate.admitted.map((a) => a.maxOutputTokens)).toEqual([2, 3])
  })

  it('passes tool definitions through and streams the tool calls back', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]
    w.upstream.enqueue({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const runner = client().chat.completions.stream({ model: 'gpt-relay', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools, tool_choice: 'auto' })
    const final = await runner.finalChatCompletion()
    expect(final.choices[0]?.finish_reason).toBe('tool_calls')
    expect(final.choices[0]?.message.tool_calls).toEqual([{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }])
    expect(w.upstream.requests[0]!.body).toMatchObject({ tools, tool_choice: 'auto' })

    w.upstream.enqueue({ toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' }] })
    const followUp = await client().chat.completions.create({
      model: 'gpt-relay',
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      ],
    })
    expect(followUp.choices[0]?.message.tool_calls?.[0]?.id).toBe('call_2')
    expect((w.upstream.requests[1]!.body as { messages: unknown[] }).messages[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: 'Sunny' })
  })

  it('maps errors to the SDK classes with the provider meaning', async () => {
    const auth = await failure(client('sk-nope').chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(auth).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(auth).toMatchObject({ status: 401, code: 'invalid_api_key' })

    const missing = await failure(client().chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }))
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    expect(missing).toMatchObject({ code: 'model_not_found', param: 'model' })

    w.upstream.enqueue({ fail: 'context_length', contextWindow: 8 })
    const long = await failure(client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'x'.repeat(100) }] }))
    expect(long).toBeInstanceOf(OpenAI.BadRequestError)
    expect(long).toMatchObject({ code: 'context_length_exceeded' })
    expect(long?.message).toContain("This model's maximum context length is 8 tokens. However, your messages resulted in 25 tokens.")

    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 30 }) // longer than we wait: handed to the client
    const limited = await failure(client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }], stream: true }))
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('30')
    expect(limited).toMatchObject({ code: 'rate_limit_exceeded' })
    expect(w.recorder.entries.map((e) => e.status)).toEqual(['error', 'error'])
  })

  it('retries an overload before the first byte, and reports a persistent one as a 503', async () => {
    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'server' }, {})
    const ok = await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] })
    expect(ok.choices[0]?.message.content).toBe(DEFAULT_TEXT)
    expect(w.upstream.requests).toHaveLength(3)

    w.upstream.reset()
    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'overloaded' }, { fail: 'overloaded' })
    const down = await failure(client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }], stream: true }))
    expect(down).toBeInstanceOf(OpenAI.InternalServerError)
    expect(down).toMatchObject({ status: 503, type: 'server_error' })
    expect(w.upstream.requests).toHaveLength(3)
  })

  it('turns our own limits into 429 + retry-after without calling the provider', async () => {
    w.gate.rejectNext(new AppError('RATE_LIMITED', 'Too many requests for this key: 5 per minute', undefined, 12))
    const limited = await failure(client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('12')
    expect(limited?.message).toContain('5 per minute')
    w.gate.rejectNext(new AppError('QUOTA_EXCEEDED', 'Daily token quota used up', undefined, 3600))
    const quota = await failure(client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(quota).toMatchObject({ status: 429, code: 'insufficient_quota' })
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.metrics.named('quotaRejected')).toEqual([['relay', 'RATE_LIMITED'], ['relay', 'QUOTA_EXCEEDED']])
  })

  it('reports a mid-stream failure inside the stream after the first deltas', async () => {
    w.upstream.enqueue({ chunks: 4, midStreamErrorAfter: 2, midStreamError: 'server' })
    const stream = await client().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }], stream: true })
    let text = ''
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ''
    })().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect((error as Error).message).toContain('The server had an error')
    expect(text.length).toBeGreaterThan(0)
    expect(w.upstream.requests).toHaveLength(1)
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'error', estimated: true }))
  })

  it('lists the models the key may use', async () => {
    const page = await client().models.list()
    expect(page.data.map((m) => [m.id, m.owned_by])).toEqual([['gpt-relay', 'personal'], ['claude-relay', 'personal'], ['gemini-relay', 'personal']])
    w.addKey('sk-relay_restricted-9999', { allowedModels: ['claude-relay', w.models.gemini] })
    const restricted = await client('sk-relay_restricted-9999').models.list()
    expect(restricted.data.map((m) => m.id)).toEqual(['claude-relay', 'gemini-relay'])
    expect(await client('sk-relay_restricted-9999').models.retrieve('claude-relay')).toMatchObject({ id: 'claude-relay', object: 'model' })
    const refused = await failure(client('sk-relay_restricted-9999').chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('resolves a model by its config id as well as its alias', async () => {
    const completion = await client().chat.completions.create({ model: w.models.openai, messages: [{ role: 'user', content: 'hi' }] })
    expect(completion.choices[0]?.message.content).toBe(DEFAULT_TEXT)
  })
})

describe('OpenAI SDK -> /v1/chat/completions, other model kinds (translation)', () => {
  it.each(['claude-relay', 'gemini-relay'])('streams %s with include_usage in OpenAI chunks', async (model) => {
    w.upstream.enqueue({ chunks: 5 })
    const stream = await client().chat.completions.create({
      model,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
      temperature: 0.2,
      stop: 'END',
    })
    let text = ''
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      usage = chunk.usage ?? usage
    }
    expect(text).toBe(DEFAULT_TEXT)
    expect(finish).toBe('stop')
    expect(usage).toMatchObject({ prompt_tokens: countTokens(['Be brief.', question]), completion_tokens: 5 })
    const sent = w.upstream.requests[0]!.body as Record<string, unknown>
    if (model === 'claude-relay') expect(sent).toMatchObject({ model: 'claude-sonnet-4-5', system: 'Be brief.', max_tokens: 50, temperature: 0.2, stop_sequences: ['END'] })
    else expect(sent).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { maxOutputTokens: 50, temperature: 0.2, stopSequences: ['END'] } })
  })

  it('answers non-streaming requests for an anthropic model with the finish reason translated', async () => {
    const completion = await client().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: question }], max_tokens: 2 })
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'claude-relay', choices: [{ finish_reason: 'length', message: { role: 'assistant' } }] })
    expect(completion.usage?.completion_tokens).toBe(2)
  })

  it('refuses a field with no equivalent for a model of another kind with a clear 400, before any upstream call', async () => {
    const error = await failure(client().chat.completions.create({
      model: 'claude-relay',
      messages: [{ role: 'user', content: 'hi' }],
      logit_bias: { 50256: -100 },
    }))
    expect(error).toBeInstanceOf(OpenAI.BadRequestError)
    expect(error).toMatchObject({ param: 'logit_bias' })
    expect(error?.message).toContain('logit_bias: has no equivalent for this model')
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(0)
  })

  it('keeps the provider meaning of an anthropic overload and context error', async () => {
    w.upstream.enqueue({ fail: 'context_length', contextWindow: 10 })
    const long = await failure(client().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'x'.repeat(80) }] }))
    expect(long).toBeInstanceOf(OpenAI.BadRequestError)
    expect(long).toMatchObject({ code: 'context_length_exceeded' })
    expect(long?.message).toContain('prompt is too long: 20 tokens > 10 maximum')
    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'overloaded' }, { fail: 'overloaded' })
    const overloaded = await failure(client().chat.completions.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(overloaded).toMatchObject({ status: 503, type: 'server_error' })
  })
})
