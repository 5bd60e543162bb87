import { serve } from '@hono/node-server'
import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { relayRoutes } from '../../src/features/relay/relay.routes.ts'
import { parseSse } from '../support/sse.ts'
import { DEFAULT_TEXT } from '../support/upstream/server.ts'
import { eventually, RELAY_KEY, startRelayWorld, type RelayWorld } from '../relay/relay-kit.ts'

// The relay's HTTP contract below the SDKs: raw SSE framing, error shapes, disconnects, accounting.

let w: RelayWorld
beforeAll(async () => {
  w = await startRelayWorld({ commitAfterMs: 30, heartbeatMs: 60 })
})
afterAll(() => w.close())
beforeEach(() => w.reset())

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${RELAY_KEY}` }, signal?: AbortSignal) =>
  fetch(`${w.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), signal })
const chat = (body: Record<string, unknown>, signal?: AbortSignal) => post('/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], ...body }, undefined, signal)
/** parseSse for OpenAI streams: `[DONE]` is not JSON. */
const openAiEvents = (text: string) => parseSse(text.replace(/data: \[DONE\]/, ''))
const messages = (body: Record<string, unknown>) => post('/v1/messages', { max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], ...body }, { 'x-api-key': RELAY_KEY, 'anthropic-version': '2023-06-01' })

describe('errors on /v1 are in the client dialect, never the app envelope', () => {
  it.each([
    ['missing key', () => fetch(`${w.url}/v1/chat/completions`, { method: 'POST', body: '{}' }), 401, 'invalid_api_key'],
    ['a user session (JWT) instead of a platform key', async () => post('/v1/chat/completions', {}, { authorization: `Bearer ${w.user.token}` }), 401, 'invalid_api_key'],
    ['invalid JSON', () => post('/v1/chat/completions', '{nope'), 400, null],
    ['no messages', () => post('/v1/chat/completions', { model: 'gpt-relay' }), 400, null],
    ['unknown /v1 route', () => fetch(`${w.url}/v1/audio/speech`, { method: 'POST' }), 404, 'model_not_found'],
  ])('OpenAI shape for %s', async (_what, send, status, code) => {
    const res = await send()
    expect(res.status).toBe(status)
    const body = (await res.json()) as any
    expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param: body.error.param, code } })
    expect(body.error).toHaveProperty('param')
  })

  it('names the bad parameter', async () => {
    const res = await chat({ model: 'gpt-relay', stream: 'yes' })
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'stream' } })
  })

  it.each([
    ['missing key', () => fetch(`${w.url}/v1/messages`, { method: 'POST', body: '{}' }), 401, 'authentication_error'],
    ['missing max_tokens', () => post('/v1/messages', { model: 'claude-relay', messages: [] }, { 'x-api-key': RELAY_KEY }), 400, 'invalid_request_error'],
    ['unknown model', () => messages({ model: 'nope' }), 404, 'not_found_error'],
  ])('Anthropic shape for %s', async (_what, send, status, type) => {
    const res = await send()
    expect(res.status).toBe(status)
    expect(await res.json()).toEqual({ type: 'error', error: { type, message: expect.any(String) }, request_id: expect.any(String) })
  })

  it('has its own body limit, answered in the dialect', async () => {
    const router = relayRoutes(w.t.container, { bodyLimitBytes: 100 })
    const res = await router.request('/v1/messages', { method: 'POST', headers: { 'x-api-key': RELAY_KEY }, body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'y'.repeat(200) }] }) })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } })
  })

  it('answers an oversized chunked body (no content-length) on a real socket with 413, not a reset', async () => {
    const server = serve({ fetch: relayRoutes(w.t.container, { bodyLimitBytes: 100 }).fetch, port: 0, hostname: '127.0.0.1' })
    await once(server, 'listening')
    try {
      const { port } = server.address() as AddressInfo
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${RELAY_KEY}`, 'content-type': 'application/json' } }, (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk))
          res.on('end', () => resolve({ status: res.statusCode!, body }))
        })
        req.on('error', reject)
        for (let i = 0; i < 5; i++) req.write('x'.repeat(60)) // 300 bytes, chunked
        req.end()
      })
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/larger than 100 bytes/) } })
    } finally {
      server.close()
    }
  })
})

describe('documentation', () => {
  it('lists the /v1 routes in the OpenAPI document, with the platform key scheme', async () => {
    const doc = (await (await fetch(`${w.url}/openapi.json`)).json()) as any
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/messages', '/v1/models']))
    expect(doc.components.securitySchemes.platformKey).toMatchObject({ type: 'http', scheme: 'bearer' })
  })
})

describe('streams', () => {
  it('forwards CRLF-framed upstream events and adds the overhead comment before [DONE]', async () => {
    w.upstream.enqueue({ chunks: 3, lineEnding: '\r\n' })
    const res = await chat({ model: 'gpt-relay', stream: true })
    const text = await res.text()
    const { events, comments } = openAiEvents(text)
    expect(events.map((e) => e.data.choices?.[0]?.delta?.content ?? '').join('')).toBe(DEFAULT_TEXT)
    expect(comments.some((c) => /^overhead-ms=\d+$/.test(c))).toBe(true)
    expect(text.indexOf(': overhead-ms=')).toBeLessThan(text.indexOf('data: [DONE]'))
  })

  it('adds the overhead comment before message_stop in Anthropic streams (pass-through and translated)', async () => {
    for (const model of ['claude-relay', 'gpt-relay']) {
      const text = await (await messages({ model, stream: true })).text()
      expect(text.indexOf(': overhead-ms=')).toBeGreaterThan(0)
      expect(text.indexOf(': overhead-ms=')).toBeLessThan(text.indexOf('event: message_stop'))
    }
  })

  it('sends heartbeats while the provider is slow to answer (OpenAI comment, Anthropic ping)', async () => {
    w.upstream.enqueue({ headersDelayMs: 250, chunks: 2 }, { headersDelayMs: 250, chunks: 2 })
    const openai = await (await chat({ model: 'gpt-relay', stream: true })).text()
    expect(openai).toContain(': keepalive\n\n')
    expect(openai).toContain('data: [DONE]')
    const anthropic = await (await messages({ model: 'claude-relay', stream: true })).text()
    expect(anthropic).toContain('event: ping\ndata: {"type": "ping"}')
    expect(anthropic).toContain('event: message_stop')
  })

  it('reports a failure that comes after the response started as an error event', async () => {
    w.upstream.enqueue({ headersDelayMs: 100, fail: 'bad_request' })
    const res = await chat({ model: 'gpt-relay', stream: true })
    expect(res.status).toBe(200)
    const { events } = openAiEvents(await res.text())
    expect(events.at(-1)!.data).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('temperature') } })
  })

  it('reports a dropped upstream connection inside the stream, in both dialects', async () => {
    w.upstream.enqueue({ chunks: 6, dropAfter: 2 }, { chunks: 6, dropAfter: 2 })
    const openai = openAiEvents(await (await chat({ model: 'gpt-relay', stream: true })).text()).events
    expect(openai.at(-1)!.data).toMatchObject({ error: { type: 'server_error' } })
    const anthropic = parseSse(await (await messages({ model: 'claude-relay', stream: true })).text()).events
    expect(anthropic.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } })
    await eventually(() => expect(w.recorder.entries.map((e) => e.status)).toEqual(['error', 'error']))
  })

  it.each(['gpt-relay', 'claude-relay'])('closes the upstream request when the client disconnects (%s via OpenAI)', async (model) => {
    w.upstream.enqueue({ chunks: 40, delayMs: 30, text: 'x'.repeat(40) })
    const client = new AbortController()
    const res = await chat({ model, stream: true }, client.signal)
    const reader = res.body!.getReader()
    await reader.read()
    client.abort()
    await w.upstream.waitForClientClose(1)
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ status: 'aborted', estimated: true }))
    expect(w.metrics.open).toBe(0)
  })
})

describe('accounting', () => {
  it('admits with the key, settles with real usage, records the entry and reports metrics', async () => {
    const res = await chat({ model: 'gpt-relay', stream: true, max_tokens: 40 })
    await res.text()
    await eventually(() => expect(w.recorder.entries).toHaveLength(1))
    expect(w.gate.admitted[0]).toMatchObject({
      actor: { userId: w.user.id }, apiKey: { id: 'key-0001', limits: {} }, modelConfigId: w.models.openai, modelId: 'gpt-4o-mini', source: 'relay', maxOutputTokens: 40,
    })
    expect(w.gate.admitted[0]!.estimatedInputTokens).toBeGreaterThan(0)
    const entry = w.recorder.entries[0]!
    expect(entry).toMatchObject({ userId: w.user.id, apiKeyId: 'key-0001', modelConfigId: w.models.openai, provider: 'openai', source: 'relay', status: 'complete', outputTokens: 4 })
    expect(entry.ttftMs).toBeGreaterThanOrEqual(0)
    expect(w.metrics.named('streamOpened')).toEqual([['relay']])
    expect(w.metrics.open).toBe(0)
    expect(w.metrics.named('upstreamCall')[0]![0]).toEqual({ provider: 'openai', model: 'gpt-4o-mini', status: '200' })
    expect(w.metrics.named('timeToFirstToken')[0]!.slice(0, 3)).toEqual(['relay', 'openai', 'gpt-4o-mini'])
    expect(w.metrics.named('overhead')[0]![0]).toBe('relay')
    expect(w.metrics.named('tokens')).toContainEqual(['openai', 'gpt-4o-mini', 'out', 4])
  })

  it('counts relay usage with the provider figures for translated calls too', async () => {
    await (await messages({ model: 'gemini-relay', stream: true })).text()
    await eventually(() => expect(w.recorder.entries[0]).toMatchObject({ provider: 'gemini', source: 'relay', status: 'complete', outputTokens: 4, estimated: false }))
    expect(w.gate.settled).toHaveLength(1)
  })
})
