import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

// /v1/models in the client's own format (Anthropic when the request carries anthropic-version),
// and the request ids both SDKs read from their headers.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const anthropic = (apiKey = RELAY_KEY) => new Anthropic({ apiKey, baseURL: w.url, maxRetries: 0 })
const openai = (apiKey = RELAY_KEY) => new OpenAI({ apiKey, baseURL: `${w.url}/v1`, maxRetries: 0 })
const failure = <E>(p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as E)

describe('Anthropic SDK -> /v1/models', () => {
  it('lists the models in the Anthropic shape, newest first, across pages', async () => {
    const seen: Anthropic.ModelInfo[] = []
    for await (const model of anthropic().models.list({ limit: 2 })) seen.push(model)
    expect(seen.map((m) => m.id)).toEqual(['gemini-relay', 'claude-relay', 'gpt-relay'])
    expect(seen[1]).toMatchObject({ type: 'model', id: 'claude-relay', display_name: 'anthropic relay', max_input_tokens: expect.any(Number), max_tokens: expect.any(Number) })
    expect(new Date(seen[1]!.created_at).toISOString()).toBe(seen[1]!.created_at)

    const first = await anthropic().models.list({ limit: 2 })
    expect(first).toMatchObject({ has_more: true, first_id: 'gemini-relay', last_id: 'claude-relay' })
    const back = await anthropic().models.list({ before_id: 'gpt-relay', limit: 1 })
    expect(back.data.map((m) => m.id)).toEqual(['claude-relay'])
    expect(back.has_more).toBe(true)
    const rest = await anthropic().models.list({ after_id: 'claude-relay' })
    expect(rest).toMatchObject({ has_more: false, first_id: 'gpt-relay', last_id: 'gpt-relay' })
  })

  it('retrieves one model by name or config id, and answers unknown ones with not_found_error and a request id', async () => {
    expect(await anthropic().models.retrieve('claude-relay')).toMatchObject({ type: 'model', id: 'claude-relay', display_name: 'anthropic relay' })
    expect(await anthropic().models.retrieve(w.models.gemini)).toMatchObject({ type: 'model', id: 'gemini-relay' })
    const missing = await failure<InstanceType<typeof Anthropic.APIError>>(anthropic().models.retrieve('claude-nope'))
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError)
    expect(missing?.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } })
    expect(missing?.requestID).toMatch(/\S/)
    expect(missing?.headers?.get('x-request-id')).toBe(missing?.requestID)
    expect((missing?.error as { request_id?: string }).request_id).toBe(missing?.requestID)
  })

  it('refuses a bad page size or a bad platform key in the Anthropic shape', async () => {
    const bad = await failure<InstanceType<typeof Anthropic.APIError>>(anthropic().models.list({ limit: 5000 }))
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError)
    expect(bad?.error).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('limit') } })
    const cursor = await failure<InstanceType<typeof Anthropic.APIError>>(anthropic().models.list({ after_id: 'nope' }))
    expect(cursor).toBeInstanceOf(Anthropic.BadRequestError)
    const auth = await failure<InstanceType<typeof Anthropic.APIError>>(anthropic('sk-nope').models.list())
    expect(auth).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(auth?.error).toMatchObject({ error: { type: 'authentication_error' } })
    expect(auth?.requestID).toMatch(/\S/)
  })
})

describe('request ids', () => {
  it('sets request-id on Anthropic answers: JSON, streams and errors', async () => {
    const { response } = await anthropic().messages.create({ model: 'claude-relay', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).withResponse()
    expect(response.headers.get('request-id')).toMatch(/\S/)
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'))
    const stream = await anthropic().messages.create({ model: 'gpt-relay', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'hi' }] }).withResponse()
    expect(stream.response.headers.get('request-id')).toBe(stream.response.headers.get('x-request-id'))
    for await (const _ of stream.data) void _
    const error = await failure<InstanceType<typeof Anthropic.APIError>>(anthropic().messages.create({ model: 'claude-nope', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }))
    expect(error?.requestID).toMatch(/\S/)
  })

  it('keeps the OpenAI format (x-request-id only) without anthropic-version', async () => {
    const { data, response } = await openai().models.list().withResponse()
    expect(data.data.map((m) => m.id)).toEqual(['gpt-relay', 'claude-relay', 'gemini-relay'])
    expect(data.data[0]).toEqual({ id: 'gpt-relay', object: 'model', created: expect.any(Number), owned_by: 'personal' })
    expect(response.headers.get('x-request-id')).toMatch(/\S/)
    expect(response.headers.get('request-id')).toBeNull()
    const missing = await failure<InstanceType<typeof OpenAI.APIError>>(openai().models.retrieve('gpt-nope'))
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError)
    expect(missing?.requestID).toBe(missing?.headers?.get('x-request-id'))
    expect(missing?.requestID).toMatch(/\S/)
  })
})

describe('documentation', () => {
  it('documents both model routes with the platform key and the anthropic-version header', async () => {
    const doc = (await (await fetch(`${w.url}/openapi.json`)).json()) as any
    for (const path of ['/v1/models', '/v1/models/{model}']) {
      const op = doc.paths[path].get
      expect(op.security).toEqual([{ platformKey: [] }])
      expect(op.parameters.map((p: { name: string }) => p.name)).toContain('anthropic-version')
    }
  })
})
