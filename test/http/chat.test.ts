import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_TEXT, startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'
import { parseSse, readSse } from '../support/sse.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

const MODELS = {
  openai: { modelId: 'gpt-4o-mini', base: (u: string) => `${u}/v1` },
  anthropic: { modelId: 'claude-sonnet-4-5', base: (u: string) => u },
  gemini: { modelId: 'gemini-2.5-flash', base: (u: string) => u },
} as const
type Kind = keyof typeof MODELS

describe('chat over HTTP against the test upstream', () => {
  let t: TestApp
  let upstream: Upstream
  let user: { token: string; id: string }

  beforeAll(async () => {
    upstream = await startUpstream()
    // A reply whose client left stops at once (test/http/chat-resume.test.ts covers the grace period).
    t = await createTestApp({ env: { CHAT_RESUME_GRACE_S: '0' } })
    user = await t.registerUser('chatter')
  })
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })
  beforeEach(() => upstream.reset())

  async function modelFor(kind: Kind, extra: Record<string, unknown> = {}, token = user.token) {
    const res = await t.request('POST', '/api/models', {
      token,
      body: { providerKind: kind, displayName: `${kind} test`, modelId: MODELS[kind].modelId, baseUrl: MODELS[kind].base(upstream.url), apiKey: UPSTREAM_KEY, ...extra },
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id as string
  }

  async function sessionWith(modelId: string, token = user.token, extra: Record<string, unknown> = {}) {
    const res = await t.request('POST', '/api/sessions', { token, body: { modelId, ...extra } })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.id as string
  }

  const messagesOf = async (sessionId: string) => (await t.request('GET', `/api/sessions/${sessionId}/messages`, { token: user.token })).body.items

  it.each(['openai', 'anthropic', 'gemini'] as const)('streams a %s reply as SSE and stores both messages', async (kind) => {
    const sessionId = await sessionWith(await modelFor(kind))
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'Hello there, model!\nSecond line' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    const { events, comments } = parseSse(res.body)
    expect(events.map((e) => e.event)).toEqual(['message', 'delta', 'delta', 'delta', 'delta', 'usage', 'done'])
    const text = events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')
    expect(text).toBe(DEFAULT_TEXT)
    expect(events.at(-2)!.data).toMatchObject({ outputTokens: 4, estimated: false })
    const done = events.at(-1)!.data
    expect(done).toMatchObject({ status: 'complete', finishReason: 'stop', usage: { outputTokens: 4, estimated: false } })
    expect(comments.some((c) => /^overhead-ms=\d+$/.test(c))).toBe(true)

    const [userMsg, reply] = await messagesOf(sessionId)
    expect(userMsg).toMatchObject({ id: events[0]!.data.userMessageId, role: 'user', content: 'Hello there, model!\nSecond line', status: 'complete' })
    expect(reply).toMatchObject({ id: events[0]!.data.assistantMessageId, role: 'assistant', content: DEFAULT_TEXT, status: 'complete', parentId: userMsg.id })
    expect(reply.usage.inputTokens).toBeGreaterThan(0)
    const session = await t.request('GET', `/api/sessions/${sessionId}`, { token: user.token })
    expect(session.body.title).toBe('Hello there, model!')
    expect(upstream.requests).toHaveLength(1)
  })

  it('answers POST /api/chat as one JSON response', async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    const res = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'hi' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ sessionId, content: DEFAULT_TEXT, status: 'complete', usage: { estimated: false } })
  })

  it('retries a rate limit before the first token and succeeds', async () => {
    const sessionId = await sessionWith(await modelFor('anthropic'))
    upstream.enqueue({ fail: 'rate_limit', retryAfter: 0 }, { fail: 'overloaded' }, {})
    const res = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'hi' } })
    expect(res.body.status).toBe('complete')
    expect(upstream.requests).toHaveLength(3)
  })

  it('answers a rejected key before the first byte with its HTTP status (502) and stores the failed reply', async () => {
    const modelId = await modelFor('openai', { apiKey: 'sk-wrong-key-000000000000' })
    const sessionId = await sessionWith(modelId)
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'hi' } })
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.body.error.code).toBe('PROVIDER_AUTH_FAILED')
    expect(res.body.error.requestId).toBeTruthy()
    expect(JSON.stringify(res.body)).not.toContain('sk-wrong-key-000000000000')
    const [userMsg, reply] = await messagesOf(sessionId)
    expect(userMsg.status).toBe('complete')
    expect(reply).toMatchObject({ status: 'error', errorCode: 'PROVIDER_AUTH_FAILED', content: '' })
    expect(upstream.requests).toHaveLength(1)
    // The failed reply is final already: the chat takes the next message.
    expect((await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'again' } })).status).toBe(502)
  })

  it.each([
    ['a rate limit', { fail: 'rate_limit', retryAfter: 40 }, 429, 'PROVIDER_RATE_LIMITED'],
    ['an overload', { fail: 'overloaded' }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a server error', { fail: 'server' }, 503, 'PROVIDER_UNAVAILABLE'],
    ['a refused request', { fail: 'bad_request' }, 502, 'PROVIDER_BAD_REQUEST'],
  ] as const)('answers %s before the first byte with the real status, in SSE and JSON requests alike', async (_what, scenario, status, code) => {
    const sessionId = await sessionWith(await modelFor('anthropic'))
    for (const path of ['/api/chat/stream', '/api/chat']) {
      upstream.reset()
      upstream.setDefault(scenario)
      const res = await t.request('POST', path, { token: user.token, body: { sessionId, content: 'hi' } })
      expect(res.status, path).toBe(status)
      expect(res.body.error.code).toBe(code)
      if (status === 429) expect(res.headers.get('retry-after')).toBe('40')
    }
    expect((await messagesOf(sessionId)).filter((m: any) => m.role === 'assistant').map((m: any) => m.status)).toEqual(['error', 'error'])
  })

  it.each([
    ['a mid-stream error', { midStreamErrorAfter: 2, chunks: 6 }, 'PROVIDER_UNAVAILABLE'],
    ['a dropped connection', { dropAfter: 2, chunks: 6 }, 'PROVIDER_UNAVAILABLE'],
  ])('keeps the partial text after %s', async (_what, scenario, code) => {
    const sessionId = await sessionWith(await modelFor('gemini'))
    upstream.enqueue({ text: 'abcdefghijkl', ...scenario })
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'hi' } })
    const { events } = parseSse(res.body)
    expect(events.map((e) => e.event)).toEqual(['message', 'delta', 'delta', 'error', 'done'])
    expect(events[3]!.data.code).toBe(code)
    const [, reply] = await messagesOf(sessionId)
    expect(reply).toMatchObject({ status: 'error', content: 'abcd', errorCode: code })
    expect(upstream.requests).toHaveLength(1) // never retried after the first token
  })

  it('retries once with a tighter budget when the provider says the context is too long', async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    for (const word of ['first', 'second', 'third']) {
      await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: `${word} question `.repeat(20) } })
    }
    upstream.reset()
    upstream.enqueue({ fail: 'context_length', contextWindow: 100 }, {})
    const res = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'and now?' } })
    expect(res.body.status, JSON.stringify(res.body)).toBe('complete')
    const [tooLong, retried] = upstream.requests.map((r) => (r.body as { messages: unknown[] }).messages.length)
    expect(tooLong).toBe(7)
    expect(retried).toBeLessThan(7)
    expect(retried! % 2).toBe(1) // whole turns dropped, ending with the new message
  })

  it('gives the provider\'s context error when even the newest message cannot fit after the retry', async () => {
    const sessionId = await sessionWith(await modelFor('anthropic'))
    upstream.enqueue({ fail: 'context_length', contextWindow: 5 })
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'a long question '.repeat(10) } })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'CONTEXT_TOO_LONG', message: expect.stringContaining('prompt is too long') })
    expect(upstream.requests).toHaveLength(1)
  })

  it('refuses a message that cannot fit the window before any upstream call', async () => {
    const sessionId = await sessionWith(await modelFor('openai', { contextWindow: 300, maxOutputTokens: 100 }))
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'word '.repeat(400) } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('CONTEXT_TOO_LONG')
    expect(upstream.requests).toHaveLength(0)
  })

  it('stops a reply from another request: aborted, partial text kept, upstream connection closed', async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'x'.repeat(50) })
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'long please' }),
    })
    const seen: string[] = []
    let assistantId = ''
    for await (const event of readSse(res)) {
      seen.push(event.event)
      if (event.event === 'message') assistantId = event.data.assistantMessageId
      if (event.event === 'delta' && seen.filter((e) => e === 'delta').length === 3) {
        const stop = await t.request('POST', `/api/chat/${assistantId}/stop`, { token: user.token })
        expect(stop.body).toEqual({ stopped: true, status: 'aborted' })
      }
      if (event.event === 'done') expect(event.data.status).toBe('aborted')
    }
    expect(seen.at(-1)).toBe('done')
    await upstream.waitForClientClose(1, 5000)
    const [, reply] = await messagesOf(sessionId)
    expect(reply.status).toBe('aborted')
    expect(reply.content.length).toBeGreaterThanOrEqual(3)
    expect(reply.content.length).toBeLessThan(50)
    expect(reply.usage.estimated).toBe(true)
  })

  it('with CHAT_RESUME_GRACE_S=0, finalizes as aborted as soon as the client disconnects', async () => {
    const sessionId = await sessionWith(await modelFor('anthropic'))
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'y'.repeat(50) })
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'long please' }),
    })
    let deltas = 0
    for await (const event of readSse(res)) if (event.event === 'delta' && ++deltas === 2) break
    await upstream.waitForClientClose(1, 5000)
    await expect.poll(async () => (await messagesOf(sessionId))[1].status, { timeout: 5000 }).toBe('aborted')
    expect((await messagesOf(sessionId))[1].content).toMatch(/^y{2,}$/)
  })

  /** Opens a slow reply and reads it up to its `count`th delta; the rest of the stream stays open. */
  async function slowReplyUntil(sessionId: string, count: number, token = user.token) {
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'w'.repeat(50) })
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'long please' }),
    })
    expect(res.status).toBe(200)
    const events = readSse(res)
    const seen: { event: string; data: any }[] = []
    // next() by hand: leaving a for-await loop would cancel the stream.
    while (seen.filter((e) => e.event === 'delta').length < count) seen.push((await events.next()).value!)
    const rest = async () => {
      for (let next = await events.next(); !next.done; next = await events.next()) seen.push(next.value)
      return seen
    }
    return { assistantId: seen[0]!.data.assistantMessageId as string, rest }
  }

  it('answers 409 to a new message while a reply streams in the same chat, and stores nothing', async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    const { assistantId, rest } = await slowReplyUntil(sessionId, 2)
    const refused = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'me too' } })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('CONFLICT')
    expect((await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'me too' } })).status).toBe(409)
    expect(upstream.requests).toHaveLength(1)
    await t.request('POST', `/api/chat/${assistantId}/stop`, { token: user.token })
    await rest()
    expect((await messagesOf(sessionId)).map((m: any) => m.content)).toEqual(['long please', expect.stringMatching(/^w+$/)])
    // Another chat is not blocked, and once the reply ended this one takes messages again.
    expect((await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'now?' } })).body.status).toBe('complete')
  })

  it('deleting a chat during a reply stops it, closes the upstream call and never tells the client complete', async () => {
    const sessionId = await sessionWith(await modelFor('anthropic'))
    const { rest } = await slowReplyUntil(sessionId, 2)
    expect((await t.request('DELETE', `/api/sessions/${sessionId}`, { token: user.token })).status).toBe(204)
    const events = await rest()
    await upstream.waitForClientClose(1, 5000)
    expect(events.map((e) => e.event).slice(-2)).toEqual(['error', 'done'])
    expect(events.at(-2)!.data.code).toBe('NOT_FOUND')
    expect(events.at(-1)!.data.status).toBe('aborted')
    expect(events.filter((e) => e.event === 'delta').length).toBeLessThan(50)
    expect((await t.request('GET', `/api/sessions/${sessionId}`, { token: user.token })).status).toBe(404)
  })

  it("deleting another user's chat id stops nothing", async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    const { assistantId, rest } = await slowReplyUntil(sessionId, 1)
    const other = await t.registerUser('deleter')
    expect((await t.request('DELETE', `/api/sessions/${sessionId}`, { token: other.token })).status).toBe(404)
    await t.request('POST', `/api/chat/${assistantId}/stop`, { token: user.token })
    const events = await rest()
    expect(events.at(-1)!.data.status).toBe('aborted') // stopped by its owner, not by the other user
    expect(events.some((e) => e.event === 'error')).toBe(false)
  })

  it('deleting a user stops their replies and the upstream calls', async () => {
    const victim = await t.registerUser('leaving')
    const sessionId = await sessionWith(await modelFor('openai', {}, victim.token), victim.token)
    const { rest } = await slowReplyUntil(sessionId, 2, victim.token)
    const admin = await t.adminToken()
    expect((await t.request('DELETE', `/api/users/${victim.id}`, { token: admin })).status).toBe(204)
    const events = await rest()
    await upstream.waitForClientClose(1, 5000)
    expect(events.at(-2)).toMatchObject({ event: 'error', data: { code: 'NOT_FOUND' } })
    expect(events.at(-1)!.data.status).toBe('aborted')
  })

  it('answers GET /api/chat/{id}/stream for an ended reply from the stored message, after the client\'s position', async () => {
    // CHAT_RESUME_GRACE_S=0 here: an ended reply is forgotten at once and read from the database.
    const sessionId = await sessionWith(await modelFor('openai'))
    upstream.enqueue({ chunks: 6, text: 'uvwxyz' })
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'hi' } })
    const ids = [...(res.body as string).matchAll(/^id: (.*)$/gm)].map((m) => m[1]!)
    const assistantId = parseSse(res.body).events[0]!.data.assistantMessageId as string
    const follow = (headers: Record<string, string> = {}) => t.request('GET', `/api/chat/${assistantId}/stream`, { token: user.token, headers })
    const after = parseSse((await follow({ 'last-event-id': ids[3]! })).body).events
    expect(after.map((e) => e.event)).toEqual(['delta', 'usage', 'done'])
    expect(after[0]!.data.text).toBe('xyz')
    expect(after.at(-1)!.data).toMatchObject({ messageId: assistantId, status: 'complete' })
    const whole = parseSse((await follow()).body).events
    expect(whole.map((e) => e.event)).toEqual(['message', 'delta', 'usage', 'done'])
    expect(whole[1]!.data.text).toBe('uvwxyz')
  })

  it('regenerates the last reply as a sibling and edits the last user message', async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    upstream.setDefault({ echo: true })
    const first = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'one' } })
    const again = await t.request('POST', `/api/chat/${first.body.assistantMessageId}/regenerate`, { token: user.token, body: { stream: false } })
    expect(again.body).toMatchObject({ userMessageId: first.body.userMessageId, status: 'complete', content: 'one' })
    const edited = await t.request('POST', `/api/chat/${first.body.userMessageId}/edit`, { token: user.token, body: { content: 'two', stream: false } })
    expect(edited.body).toMatchObject({ userMessageId: first.body.userMessageId, content: 'two' })
    const all = await messagesOf(sessionId)
    expect(all.map((m: any) => [m.role, m.content])).toEqual([['user', 'two'], ['assistant', 'two']])
    const second = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'three' } })
    const lastRequest = upstream.requests.at(-1)!.body as { messages: { role: string; content: string }[] }
    expect(lastRequest.messages.map((m) => m.content)).toEqual(['two', 'two', 'three'])
    const stale = await t.request('POST', `/api/chat/${first.body.userMessageId}/regenerate`, { token: user.token, body: { stream: false } })
    expect(stale.status).toBe(409)
    expect(second.body.status).toBe('complete')
  })

  it("hides other users' chats and messages (404), and needs a model", async () => {
    const sessionId = await sessionWith(await modelFor('openai'))
    const first = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'mine' } })
    const other = await t.registerUser('nosy')
    expect((await t.request('POST', '/api/chat/stream', { token: other.token, body: { sessionId, content: 'x' } })).status).toBe(404)
    expect((await t.request('POST', `/api/chat/${first.body.assistantMessageId}/stop`, { token: other.token })).status).toBe(404)
    expect((await t.request('POST', `/api/chat/${first.body.assistantMessageId}/regenerate`, { token: other.token, body: {} })).status).toBe(404)
    const bare = await t.request('POST', '/api/sessions', { token: user.token, body: {} })
    const noModel = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId: bare.body.id, content: 'x' } })
    expect(noModel.status).toBe(400)
  })
})
