import Anthropic, { type APIError } from '@anthropic-ai/sdk'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors.ts'
import { countTokens, DEFAULT_TEXT, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { eventually, RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// The official Anthropic SDK against /v1/messages: Claude-speaking tools work with every model kind.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const client = (apiKey = RELAY_KEY) => new Anthropic({ apiKey, baseURL: w.url, maxRetries: 0 })
const question = 'What is the capital of France?'
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)

describe('Anthropic SDK -> /v1/messages, anthropic-kind model (pass-through)', () => {
  it('streams with messages.stream and reports the final usage', async () => {
    w.upstream.enqueue({ chunks: 5, cachedTokens: 3, heartbeat: true })
    const stream = client().messages.stream({ model: 'claude-relay', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: question }] })
    const deltas: string[] = []
    stream.on('text', (text) => deltas.push(text))
    const message = await stream.finalMessage()
    expect(deltas).toHaveLength(5)
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }])
    expect(message.stop_reason).toBe('end_turn')
    expect(message.usage).toMatchObject({ input_tokens: countTokens(['Be brief.', question]) - 3, cache_read_input_tokens: 3, output_tokens: 5 })
    const sent = w.upstream.requests[0]!
    expect(sent.headers).toMatchObject({ 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' })
    expect(sent.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 100, system: 'Be brief.', stream: true })
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'complete', inputTokens: countTokens(['Be brief.', question]), cachedTokens: 3, outputTokens: 5, estimated: false }))
  })

  it('answers non-streaming requests, with the key as x-api-key or as a Bearer token', async () => {
    const message = await client().messages.create({ model: 'claude-relay', max_tokens: 100, messages: [{ role: 'user', content: question }] })
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: DEFAULT_TEXT }] })
    const bearer = new Anthropic({ authToken: RELAY_KEY, apiKey: null, baseURL: w.url, maxRetries: 0 })
    const again = await bearer.messages.create({ model: 'claude-relay', max_tokens: 100, messages: [{ role: 'user', content: question }] })
    expect(again.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }])
  })

  it('passes tools through and returns tool_use blocks', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]
    w.upstream.enqueue({ toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] })
    const message = await client().messages.stream({ model: 'claude-relay', max_tokens: 100, tools, messages: [{ role: 'user', content: 'Weather in Paris?' }] }).finalMessage()
    expect(message.stop_reason).toBe('tool_use')
    expect(message.content).toContainEqual({ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } })
    expect(w.upstream.requests[0]!.body).toMatchObject({ tools })
  })

  it('maps errors to the SDK error classes', async () => {
    const auth = await failure(client('sk-nope').messages.create({ model: 'claude-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(auth?.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })

    const missing = await failure(client().messages.create({ model: 'claude-nope', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError)
    expect(missing?.error).toMatchObject({ error: { type: 'not_found_error' } })

    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 30 })
    const limited = await failure(client().messages.create({ model: 'claude-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('30')

    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'overloaded' }, { fail: 'overloaded' })
    const overloaded = await failure(client().messages.create({ model: 'claude-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(overloaded).toMatchObject({ status: 529, error: { error: { type: 'overloaded_error', message: 'Overloaded' } } })

    w.upstream.enqueue({ fail: 'context_length', contextWindow: 10 })
    const long = await failure(client().messages.create({ model: 'claude-relay', max_tokens: 10, messages: [{ role: 'user', content: 'x'.repeat(80) }] }))
    expect(long).toBeInstanceOf(Anthropic.BadRequestError)
    expect(long?.message).toContain('prompt is too long: 20 tokens > 10 maximum')

    w.gate.rejectNext(new AppError('QUOTA_EXCEEDED', 'Monthly token quota used up', undefined, 7200))
    const quota = await failure(client().messages.create({ model: 'claude-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(quota).toBeInstanceOf(Anthropic.RateLimitError)
    expect(quota?.headers?.get('retry-after')).toBe('7200')
    expect(quota?.error).toMatchObject({ error: { type: 'rate_limit_error', message: 'Monthly token quota used up' } })

    const invalid = await failure(client().messages.create({ model: 'claude-relay', messages: [{ role: 'user', content: 'hi' }] } as never))
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError)
    expect(invalid?.error).toMatchObject({ error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } })
  })

  it('throws the mid-stream error event', async () => {
    w.upstream.enqueue({ chunks: 4, midStreamErrorAfter: 1, midStreamError: 'overloaded' })
    const error = await client().messages.stream({ model: 'claude-relay', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Anthropic.APIError)
    expect((error as APIError).error).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } })
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'error' }))
  })
})

describe('Anthropic SDK -> /v1/messages, openai-kind and gemini-kind models (translation)', () => {
  it.each(['gpt-relay', 'gemini-relay'])('streams %s as Anthropic events with usage and stop reason', async (model) => {
    w.upstream.enqueue({ chunks: 3, cachedTokens: 2 })
    const stream = client().messages.stream({ model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: question }], temperature: 0.5, stop_sequences: ['END'] })
    const deltas: string[] = []
    stream.on('text', (text) => deltas.push(text))
    const message = await stream.finalMessage()
    expect(deltas.join('')).toBe(DEFAULT_TEXT)
    expect(message).toMatchObject({ model, role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: DEFAULT_TEXT }] })
    expect(message.usage).toMatchObject({ input_tokens: countTokens(['Be brief.', question]) - 2, cache_read_input_tokens: 2, output_tokens: 3 })
    const sent = w.upstream.requests[0]!.body as Record<string, unknown>
    if (model === 'gpt-relay') {
      expect(sent).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: question }], max_tokens: 100, temperature: 0.5, stop: ['END'] })
    } else expect(sent).toMatchObject({ generationConfig: { maxOutputTokens: 100, temperature: 0.5, stopSequences: ['END'] } })
  })

  it('answers non-streaming requests for an openai model, max_tokens becoming stop_reason max_tokens', async () => {
    const message = await client().messages.create({ model: 'gpt-relay', max_tokens: 2, messages: [{ role: 'user', content: [{ type: 'text', text: question }] }] })
    expect(message).toMatchObject({ type: 'message', stop_reason: 'max_tokens', usage: { output_tokens: 2, input_tokens: countTokens([question]) } })
  })

  it('keeps the provider meaning: openai 429 stays a rate_limit_error, openai overload an overloaded_error', async () => {
    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 25 })
    const limited = await failure(client().messages.create({ model: 'gpt-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('25')
    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'overloaded' }, { fail: 'overloaded' })
    const overloaded = await failure(client().messages.create({ model: 'gpt-relay', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true }))
    expect(overloaded).toMatchObject({ status: 529, error: { error: { type: 'overloaded_error' } } })
  })

  it('refuses server tools and documents for an openai model with a 400 naming the field', async () => {
    const tools = await failure(client().messages.create({ model: 'gpt-relay', max_tokens: 10, tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: [{ role: 'user', content: 'hi' }] }))
    expect(tools).toBeInstanceOf(Anthropic.BadRequestError)
    expect(tools?.error).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/^tools\.0\.type: /) } })
    const document = await failure(client().messages.create({
      model: 'gpt-relay',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }],
    }))
    expect(document?.error).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining("messages.0.content.0.type: content blocks of type 'document'") } })
  })
})
