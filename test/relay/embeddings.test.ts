import OpenAI, { type APIError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../src/shared/errors.ts'
import { embeddingOf, float32Base64 } from '../support/upstream/embeddings.ts'
import { countTokens, UPSTREAM_KEY } from '../support/upstream/server.ts'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// openai.embeddings.create against the relay, for OpenAI-compatible and Gemini models (the test
// upstream speaks both embeddings wire formats), and the 400s for what cannot be embedded.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const client = (apiKey = RELAY_KEY) => new OpenAI({ apiKey, baseURL: `${w.url}/v1`, maxRetries: 0 })
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as APIError)

describe('POST /v1/embeddings, OpenAI-compatible model', () => {
  it('embeds with the SDK defaults (base64 on the wire, decoded by the SDK) and records the provider usage', async () => {
    const text = 'The quick brown fox'
    const { data, response } = await client().embeddings.create({ model: 'gpt-relay', input: text }).withResponse()
    expect(data).toMatchObject({ object: 'list', model: 'gpt-relay', usage: { prompt_tokens: countTokens([text]), total_tokens: countTokens([text]) } })
    expect(data.data).toEqual([{ object: 'embedding', index: 0, embedding: embeddingOf(text) }])
    expect(Number(response.headers.get('x-overhead-ms'))).toBeGreaterThanOrEqual(0)
    const upstream = w.upstream.requests[0]!
    expect(upstream.path).toBe('/v1/embeddings')
    expect(upstream.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`)
    expect(upstream.body).toEqual({ model: 'gpt-4o-mini', input: [text], encoding_format: 'float' })
    expect(w.recorder.entries).toMatchObject([{ source: 'relay', modelConfigId: w.models.openai, status: 'complete', inputTokens: countTokens([text]), outputTokens: 0, estimated: false }])
    expect(w.gate.admitted).toMatchObject([{ maxOutputTokens: 0, estimatedInputTokens: countTokens([text]) }])
    expect(w.gate.settled).toEqual([{ inputTokens: countTokens([text]), outputTokens: 0, cachedTokens: 0 }])
  })

  it('answers floats or base64 as asked, in input order, with dimensions and user passed on', async () => {
    const input = ['one', 'two', 'three']
    const floats = await client().embeddings.create({ model: 'gpt-relay', input, encoding_format: 'float', dimensions: 3, user: 'u-1' })
    expect(floats.data.map((d) => d.embedding)).toEqual(input.map((t) => embeddingOf(t, 3)))
    expect(w.upstream.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', input, encoding_format: 'float', dimensions: 3, user: 'u-1' })
    const base64 = await client().embeddings.create({ model: 'gpt-relay', input, encoding_format: 'base64' })
    expect(base64.data.map((d) => d.embedding)).toEqual(input.map((t) => float32Base64(embeddingOf(t))))
  })

  it('passes token-id input to OpenAI-compatible upstreams', async () => {
    const result = await client().embeddings.create({ model: 'gpt-relay', input: [[1, 2, 3], [4, 5]], encoding_format: 'float' })
    expect(result.data.map((d) => d.embedding)).toEqual([embeddingOf('[1,2,3]'), embeddingOf('[4,5]')])
    expect(result.usage.prompt_tokens).toBe(5)
    expect(w.upstream.requests[0]!.body).toMatchObject({ input: [[1, 2, 3], [4, 5]] })
  })

  it('retries an overload, and keeps the provider meaning of a rate limit', async () => {
    w.upstream.enqueue({ fail: 'overloaded' }, {})
    expect((await client().embeddings.create({ model: 'gpt-relay', input: 'hi' })).data).toHaveLength(1)
    expect(w.upstream.requests).toHaveLength(2)
    w.upstream.enqueue({ fail: 'rate_limit', retryAfter: 30 })
    const limited = await failure(client().embeddings.create({ model: 'gpt-relay', input: 'hi' }))
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('30')
    expect(w.recorder.entries.map((e) => e.status)).toEqual(['complete', 'error'])
  })
})

describe('POST /v1/embeddings, Gemini model', () => {
  it('embeds through batchEmbedContents and records an estimate (Gemini reports no tokens)', async () => {
    const input = ['alpha', 'beta']
    const result = await client().embeddings.create({ model: 'gemini-relay', input, dimensions: 4 })
    expect(result.data.map((d) => [d.index, d.embedding])).toEqual([[0, embeddingOf('alpha', 4)], [1, embeddingOf('beta', 4)]])
    const upstream = w.upstream.requests[0]!
    expect(upstream.path).toBe('/v1beta/models/gemini-2.5-flash:batchEmbedContents')
    expect(upstream.headers['x-goog-api-key']).toBe(UPSTREAM_KEY)
    expect(upstream.body).toEqual({
      requests: input.map((text) => ({ model: 'models/gemini-2.5-flash', content: { parts: [{ text }] }, outputDimensionality: 4 })),
    })
    expect(result.usage.prompt_tokens).toBe(3)
    expect(w.recorder.entries).toMatchObject([{ modelConfigId: w.models.gemini, status: 'complete', inputTokens: 3, outputTokens: 0, estimated: true }])
  })

  it('maps a Gemini error to the OpenAI shape', async () => {
    w.upstream.enqueue({ fail: 'bad_request' })
    const bad = await failure(client().embeddings.create({ model: 'gemini-relay', input: 'hi' }))
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect(bad).toMatchObject({ type: 'invalid_request_error' })
  })
})

describe('POST /v1/embeddings, refusals', () => {
  it('refuses what a kind cannot embed with a 400 naming why, before admission and any upstream call', async () => {
    const anthropic = await failure(client().embeddings.create({ model: 'claude-relay', input: 'hi' }))
    expect(anthropic).toBeInstanceOf(OpenAI.BadRequestError)
    expect(anthropic).toMatchObject({ param: 'model', type: 'invalid_request_error' })
    expect(anthropic?.message).toContain('Anthropic has no embeddings API')
    const tokens = await failure(client().embeddings.create({ model: 'gemini-relay', input: [1, 2, 3] }))
    expect(tokens).toMatchObject({ status: 400, param: 'input' })
    expect(tokens?.message).toContain('Gemini embeds text only')
    const many = await failure(client().embeddings.create({ model: 'gemini-relay', input: Array.from({ length: 101 }, (_, i) => `t${i}`) }))
    expect(many).toMatchObject({ status: 400, param: 'input' })
    expect(w.upstream.requests).toHaveLength(0)
    expect(w.gate.admitted).toHaveLength(0)
  })

  it('answers a 400 naming why when the upstream has no embeddings for the model', async () => {
    w.upstream.enqueue({ fail: 'not_found' })
    const missing = await failure(client().embeddings.create({ model: 'gpt-relay', input: 'hi' }))
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError)
    expect(missing).toMatchObject({ param: 'model', type: 'invalid_request_error' })
    expect(missing?.message).toContain("the model's upstream answered HTTP 404 to the embeddings request, so it offers no embeddings for this model")
    expect(w.recorder.entries).toMatchObject([{ status: 'error' }])
  })

  it('answers bad input in the OpenAI error shape', async () => {
    const unknownModel = await failure(client().embeddings.create({ model: 'no-such-model', input: 'hi' }))
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError)
    expect(unknownModel).toMatchObject({ code: 'model_not_found', param: 'model' })
    const field = await failure(client().embeddings.create({ model: 'gpt-relay', input: 'hi', extra_field: 1 } as never))
    expect(field).toMatchObject({ status: 400, param: 'extra_field', message: expect.stringContaining('Unrecognized request argument supplied: extra_field') })
    const shape = await failure(client().embeddings.create({ model: 'gpt-relay', input: [{ text: 'hi' }] } as never))
    expect(shape).toMatchObject({ status: 400, param: 'input' })
    const empty = await failure(client().embeddings.create({ model: 'gpt-relay', input: '' }))
    expect(empty).toMatchObject({ status: 400, param: 'input' })
    const format = await failure(client().embeddings.create({ model: 'gpt-relay', input: 'hi', encoding_format: 'int8' } as never))
    expect(format).toMatchObject({ status: 400, param: 'encoding_format' })
    const notJson = await fetch(`${w.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${RELAY_KEY}`, 'content-type': 'application/json' }, body: '{"model":' })
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('JSON') } })
    const huge = await fetch(`${w.url}/v1/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${RELAY_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-relay', input: 'x'.repeat(9 * 1024 * 1024) }) })
    expect(huge.status).toBe(413)
    expect(await huge.json()).toMatchObject({ error: { type: 'invalid_request_error' } })
    const noKey = await failure(client('sk-nope').embeddings.create({ model: 'gpt-relay', input: 'hi' }))
    expect(noKey).toBeInstanceOf(OpenAI.AuthenticationError)
    expect(w.upstream.requests).toHaveLength(0)
  })

  it('applies the key limits like chat completions', async () => {
    w.gate.rejectNext(new AppError('RATE_LIMITED', 'Too many requests for this key: 5 per minute', undefined, 12))
    const limited = await failure(client().embeddings.create({ model: 'gpt-relay', input: 'hi' }))
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect(limited?.headers?.get('retry-after')).toBe('12')
    expect(w.metrics.named('quotaRejected')).toEqual([['relay', 'RATE_LIMITED']])
    expect(w.upstream.requests).toHaveLength(0)
  })

  it('is documented in /openapi.json with the platform key', async () => {
    const doc = (await (await fetch(`${w.url}/openapi.json`)).json()) as { paths: Record<string, { post?: { security?: unknown } }> }
    expect(doc.paths['/v1/embeddings']?.post?.security).toEqual([{ platformKey: [] }])
  })
})
