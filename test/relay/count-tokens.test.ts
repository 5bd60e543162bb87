import Anthropic, { type APIError } from '@anthropic-ai/sdk'
import { type ApiError, GoogleGenAI } from '@google/genai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TiktokenTokenCounter } from '../../src/features/chat/adapters/tiktoken-token-counter.ts'
import { countTokens, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// Anthropic's messages.countTokens and Gemini's models.countTokens through the relay: exact where the
// upstream counts (Anthropic count_tokens, Gemini countTokens), a tiktoken estimate for OpenAI models.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const anthropic = (apiKey = RELAY_KEY) => new Anthropic({ apiKey, baseURL: w.url, maxRetries: 0 })
const genai = (apiKey = RELAY_KEY) => new GoogleGenAI({ apiKey, httpOptions: { baseUrl: w.url } })
const question = 'What is the capital of France?'
const system = 'Be brief.'
const tiktoken = new TiktokenTokenCounter()
/** The estimate for a system prompt and one user turn: reply priming + both messages with their overhead. */
const estimate = (model: string) => 3 + tiktoken.countMessage(system, model) + tiktoken.countMessage(question, model)
const sent = (i = 0) => w.upstream.requests[i]!

describe('Anthropic SDK messages.countTokens', () => {
  it('counts exactly through an Anthropic model: the body as sent, without the fields count_tokens refuses', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]
    const { data, response } = await anthropic().messages.countTokens({ model: 'claude-relay', system, messages: [{ role: 'user', content: question }], tools }).withResponse()
    expect(data.input_tokens).toBe(countTokens([system, question, JSON.stringify(tools)]))
    expect(response.headers.get('x-token-count')).toBe('exact')
    expect((data as unknown as { estimated: boolean }).estimated).toBe(false)
    expect(sent()).toMatchObject({ path: '/v1/messages/count_tokens', headers: { 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' } })
    expect(sent().body).toEqual({ model: 'claude-sonnet-4-5', system, messages: [{ role: 'user', content: question }], tools })
  })

  it('counts exactly through a Gemini model (its countTokens, with the system instruction)', async () => {
    const { data, response } = await anthropic().messages.countTokens({ model: 'gemini-relay', system, messages: [{ role: 'user', content: question }] }).withResponse()
    expect(data.input_tokens).toBe(countTokens([system, question]))
    expect(response.headers.get('x-token-count')).toBe('exact')
    expect(sent()).toMatchObject({ dialect: 'gemini', path: '/v1beta/models/gemini-2.5-flash:countTokens', headers: { 'x-goog-api-key': UPSTREAM_KEY } })
    expect(sent().body).toMatchObject({
      generateContentRequest: { model: 'models/gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: question }] }], systemInstruction: { parts: [{ text: system }] } },
    })
  })

  it('estimates with tiktoken for an OpenAI model, and says so', async () => {
    const { data, response } = await anthropic().messages.countTokens({ model: 'gpt-relay', system, messages: [{ role: 'user', content: question }] }).withResponse()
    expect(data.input_tokens).toBe(estimate('gpt-4o-mini'))
    expect(response.headers.get('x-token-count')).toBe('estimate')
    expect((data as unknown as { estimated: boolean }).estimated).toBe(true)
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(1)
  })

  it('answers errors in the Anthropic shape', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)
    const missing = await failure(anthropic().messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }))
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError)
    const auth = await failure(anthropic('sk-bad').messages.countTokens({ model: 'claude-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError)
    const empty = await failure(anthropic().messages.countTokens({ model: 'claude-relay', messages: [] }))
    expect(empty).toBeInstanceOf(Anthropic.BadRequestError)
    expect(empty?.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: Field required' } })
    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 30 })
    const limited = await failure(anthropic().messages.countTokens({ model: 'claude-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError)
    expect(limited?.headers?.get('request-id')).toBeTruthy()
  })
})

describe('@google/genai models.countTokens', () => {
  it('counts exactly through a Gemini model: the body as sent, wrapped as generateContentRequest', async () => {
    const result = await genai().models.countTokens({ model: 'gemini-relay', contents: question })
    expect(result.totalTokens).toBe(countTokens([question]))
    expect(result.sdkHttpResponse?.headers?.['x-token-count']).toBe('exact')
    expect(sent()).toMatchObject({ path: '/v1beta/models/gemini-2.5-flash:countTokens' })
    expect(sent().body).toEqual({ generateContentRequest: { model: 'models/gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: question }] }] } })
  })

  it('counts exactly through an Anthropic model, and estimates for an OpenAI one', async () => {
    const claude = await genai().models.countTokens({ model: 'claude-relay', contents: question })
    expect(claude.totalTokens).toBe(countTokens([question]))
    expect(sent().body).toEqual({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: question }] })
    const gpt = await genai().models.countTokens({ model: 'gpt-relay', contents: question })
    expect(gpt.totalTokens).toBe(3 + tiktoken.countMessage(question, 'gpt-4o-mini'))
    expect(gpt.sdkHttpResponse?.headers?.['x-token-count']).toBe('estimate')
    expect(w.upstream.requests).toHaveLength(1)
  })

  it('takes a generateContentRequest with a system instruction, and refuses bad bodies in Gemini\'s shape', async () => {
    const post = (body: unknown) =>
      fetch(`${w.url}/v1beta/models/claude-relay:countTokens`, { method: 'POST', headers: { 'x-goog-api-key': RELAY_KEY }, body: JSON.stringify(body) })
    const ok = await post({ generateContentRequest: { model: 'models/claude-relay', contents: [{ role: 'user', parts: [{ text: question }] }], systemInstruction: { parts: [{ text: system }] } } })
    expect(await ok.json()).toEqual({ totalTokens: countTokens([system, question]), estimated: false })
    expect(sent().body).toMatchObject({ system })
    const bad = await post({ contents: 'hi' })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } })
    const missing = await genai().models.countTokens({ model: 'nope', contents: 'hi' }).catch((e: unknown) => e as ApiError)
    expect((missing as ApiError).status).toBe(404)
  })
})
