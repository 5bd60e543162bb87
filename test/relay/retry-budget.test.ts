import Anthropic, { type APIError as AnthropicError } from '@anthropic-ai/sdk'
import OpenAI, { type APIError as OpenAiError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { UPSTREAM_KEY } from '../support/upstream/server.ts'
import { RELAY_KEY, startRelayWorld, type RelayWorld } from './relay-kit.ts'

/**
 * RELAY_MAX_ATTEMPTS: one client call costs at most that many upstream requests, over the relay's
 * retries and every account of the pool, and the SDKs (with their DEFAULT maxRetries of 2) are told
 * not to retry on top. Before, one openai SDK call against a 429 made 9 upstream requests.
 */

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld()
})
afterAll(() => w.close())
beforeEach(() => w.reset())

// Default settings on purpose: maxRetries 2, the SDKs' own backoff.
const openai = () => new OpenAI({ apiKey: RELAY_KEY, baseURL: `${w.url}/v1` })
const anthropic = () => new Anthropic({ apiKey: RELAY_KEY, baseURL: w.url })
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as OpenAiError | AnthropicError)

const alwaysRateLimited = () => w.upstream.setDefault({ fail: 'rate_limit', retryAfter: 1 })

describe('an upstream that always answers 429, SDKs with default retries', () => {
  it.each([
    ['gpt-relay', false],
    ['gpt-relay', true],
    ['claude-relay', false], // translated through the AiProvider port
    ['gemini-relay', true],
  ])('openai SDK -> %s (stream %s): 3 upstream requests, 429 with retry-after, no SDK retry', async (model, stream) => {
    alwaysRateLimited()
    const error = await failure(openai().chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], stream }))
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect(error?.headers?.get('retry-after')).toBe('1')
    expect(error?.headers?.get('x-should-retry')).toBe('false')
    expect(w.upstream.requests).toHaveLength(3)
    expect(w.gate.admitted).toHaveLength(1) // one relay call: the SDK did not come back
  })

  it.each(['claude-relay', 'gpt-relay'])('Anthropic SDK -> %s: 3 upstream requests, 429 with retry-after, no SDK retry', async (model) => {
    alwaysRateLimited()
    const error = await failure(anthropic().messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
    expect(error).toBeInstanceOf(Anthropic.RateLimitError)
    expect(error?.headers?.get('retry-after')).toBe('1')
    expect(error?.headers?.get('x-should-retry')).toBe('false')
    expect(w.upstream.requests).toHaveLength(3)
    expect(w.gate.admitted).toHaveLength(1)
  })

  it('an overload that recovers within the budget still succeeds', async () => {
    w.upstream.enqueue({ fail: 'overloaded' }, { fail: 'overloaded' }, {})
    const ok = await openai().chat.completions.create({ model: 'gpt-relay', messages: [{ role: 'user', content: 'hi' }] })
    expect(ok.choices[0]?.message.content).toBeTruthy()
    expect(w.upstream.requests).toHaveLength(3)
  })
})

describe('a system model with a credential pool', () => {
  it('counts every pooled account against the same budget', async () => {
    const admin = await w.t.adminToken()
    const created = await w.t.request('POST', '/api/models/system', {
      token: admin,
      body: { providerKind: 'openai', displayName: 'pooled', modelId: 'gpt-4o-mini', alias: 'pooled-relay', baseUrl: `${w.upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    for (const label of ['one', 'two', 'three']) {
      const added = await w.t.request('POST', `/api/models/system/${created.body.id}/credentials`, { token: admin, body: { label, apiKey: UPSTREAM_KEY } })
      expect(added.status, JSON.stringify(added.body)).toBe(201)
    }
    // Four keys, each failing over at once (a retry-after longer than the relay waits): without a
    // shared budget that was one request per key.
    w.upstream.setDefault({ fail: 'rate_limit', retryAfter: 30 })
    const error = await failure(openai().chat.completions.create({ model: 'pooled-relay', messages: [{ role: 'user', content: 'hi' }] }))
    expect(error).toMatchObject({ status: 429 })
    expect(error?.headers?.get('retry-after')).toBe('30')
    expect(error?.headers?.get('x-should-retry')).toBe('false')
    expect(w.upstream.requests).toHaveLength(3)
  })
})
