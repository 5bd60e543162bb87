import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseSse } from '../support/sse.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

/**
 * UPSTREAM_TOTAL_TIMEOUT_MS: an upstream that hangs or trickles cannot hold a chat or relay
 * request, and its concurrency slot, for longer than the total deadline. The header and idle
 * timeouts are set far away (60 s), so only the total deadline (600 ms) can end these calls; a
 * regression hangs the test until vitest's timeout.
 */

type Mode = 'no-headers' | 'stall-after-headers' | 'trickle'

/** An OpenAI-dialect upstream that misbehaves: accepts and never answers, answers and stalls, or sends a comment every 50 ms forever. */
async function startBadUpstream() {
  let mode: Mode = 'no-headers'
  let requests = 0
  const sockets = new Set<Socket>()
  /** Connections that carried a request (undici may also keep a spare idle one open). */
  const busy = new Set<Socket>()
  const server = createServer((req, res: ServerResponse) => {
    requests++
    busy.add(req.socket)
    req.resume()
    if (mode === 'no-headers') return
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    const chunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] }
    res.write(`data: ${JSON.stringify(chunk)}\n\n`)
    if (mode === 'stall-after-headers') return
    const timer = setInterval(() => res.write(': still here\n\n'), 50)
    res.once('close', () => clearInterval(timer))
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => {
      sockets.delete(socket)
      busy.delete(socket)
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set mode(next: Mode) {
      mode = next
    },
    get requests() {
      return requests
    },
    /** Connections that carried a request and are still open: 0 once the app closed every call it gave up on. */
    get open() {
      return busy.size
    },
    reset() {
      requests = 0
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => done())
      }),
  }
}

describe('the total upstream deadline over HTTP: chat and relay', () => {
  let t: TestApp
  let bad: Awaited<ReturnType<typeof startBadUpstream>>
  let good: Upstream
  let user: { token: string; id: string }
  let secret: string
  let badSession: string
  let goodSession: string

  beforeAll(async () => {
    bad = await startBadUpstream()
    good = await startUpstream()
    t = await createTestApp({ env: { UPSTREAM_TOTAL_TIMEOUT_MS: '600', UPSTREAM_HEADERS_TIMEOUT_MS: '60000', UPSTREAM_IDLE_TIMEOUT_MS: '60000' } })
    const admin = await t.adminToken()
    user = await t.registerUser('patient')
    // One stream at a time: a slot the hung call kept would refuse the next request with 429.
    expect((await t.request('PUT', `/api/admin/users/${user.id}/limits`, { token: admin, body: { concurrentStreams: 1 } })).status).toBe(200)
    const model = async (alias: string, baseUrl: string) => {
      const res = await t.request('POST', '/api/models', { token: user.token, body: { providerKind: 'openai', displayName: alias, alias, modelId: 'gpt-4o-mini', baseUrl, apiKey: UPSTREAM_KEY } })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.id as string
    }
    const session = async (modelId: string) => (await t.request('POST', '/api/sessions', { token: user.token, body: { modelId } })).body.id as string
    badSession = await session(await model('hung', `${bad.url}/v1`))
    goodSession = await session(await model('fine', `${good.url}/v1`))
    const key = await t.request('POST', '/api/keys', { token: user.token, body: { name: 'deadline' } })
    secret = key.body.secret
  })
  afterAll(async () => {
    await t.close()
    await bad.close()
    await good.close()
  })
  beforeEach(() => {
    bad.reset()
    good.reset()
  })

  const chatStream = (sessionId: string) => t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'hi' } })
  const relay = (model: string, stream: boolean) =>
    t.request('POST', '/v1/chat/completions', { headers: { authorization: `Bearer ${secret}` }, body: { model, stream, messages: [{ role: 'user', content: 'hi' }] } })

  /** The slot is free again: the next chat and relay requests go through (the limit is one at a time). */
  async function expectSlotFreed() {
    const chat = parseSse((await chatStream(goodSession)).body).events
    expect(chat.at(-1)).toMatchObject({ event: 'done', data: { status: 'complete' } })
    const res = await relay('fine', false)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(good.requests).toHaveLength(2)
    await expect.poll(() => bad.open).toBe(0)
  }

  it('chat (no-headers): 503 after the deadline (nothing was streamed yet), one upstream attempt, the reply stored as failed', async () => {
    bad.mode = 'no-headers'
    const res = await chatStream(badSession)
    expect(res.status).toBe(503)
    expect(res.body.error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/total timeout/) })
    expect(bad.requests).toBe(1)
    const messages = (await t.request('GET', `/api/sessions/${badSession}/messages`, { token: user.token })).body.items
    expect(messages.at(-1)).toMatchObject({ status: 'error', errorCode: 'PROVIDER_UNAVAILABLE' })
    await expectSlotFreed()
  })

  it.each<Mode>(['stall-after-headers', 'trickle'])('chat (%s): an error event after the deadline, one upstream attempt, the reply stored as failed', async (mode) => {
    bad.mode = mode
    const res = await chatStream(badSession)
    expect(res.status).toBe(200)
    const { events } = parseSse(res.body)
    const error = events.find((e) => e.event === 'error')
    expect(error?.data).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringMatching(/total timeout/) })
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { status: 'error' } })
    expect(events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')).toBe('Hel')
    expect(bad.requests).toBe(1)
    const messages = (await t.request('GET', `/api/sessions/${badSession}/messages`, { token: user.token })).body.items
    expect(messages.at(-1)).toMatchObject({ status: 'error', errorCode: 'PROVIDER_UNAVAILABLE' })
    await expectSlotFreed()
  })

  it('relay, no headers: 504 in the OpenAI format, streamed or not, one attempt each', async () => {
    bad.mode = 'no-headers'
    for (const stream of [false, true]) {
      const res = await relay('hung', stream)
      expect(res.status).toBe(504)
      expect(res.body).toMatchObject({ error: { type: 'server_error', message: expect.stringMatching(/total timeout/) } })
    }
    expect(bad.requests).toBe(2)
    await expectSlotFreed()
  })

  it.each<Mode>(['stall-after-headers', 'trickle'])('relay stream (%s): the stream started, then ends with an error event; one attempt', async (mode) => {
    bad.mode = mode
    const res = await relay('hung', true)
    expect(res.status).toBe(200)
    const text = String(res.body)
    expect(text).toContain('"content":"Hel"')
    const errors = parseSse(text.replace(/data: \[DONE\]/, '')).events.filter((e) => e.data?.error)
    expect(errors).toEqual([{ event: 'message', data: { error: expect.objectContaining({ type: 'server_error', message: expect.stringMatching(/total timeout/) }) } }])
    expect(bad.requests).toBe(1)
    await expectSlotFreed()
  })

  it('relay, not streamed, an answer that never finishes: 504 after the deadline', async () => {
    bad.mode = 'trickle'
    const res = await relay('hung', false)
    expect(res.status).toBe(504)
    expect(bad.requests).toBe(1)
    await expectSlotFreed()
  })
})
