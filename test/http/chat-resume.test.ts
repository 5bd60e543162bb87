import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { parseSse, type SseEvent } from '../support/sse.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

// One process (SQLite): a reply outlives its connection for CHAT_RESUME_GRACE_S, and
// GET /api/chat/{messageId}/stream picks it up again from the last event id the client has.

type Tab = { events: SseEvent[]; ids: string[]; next(): Promise<SseEvent | undefined>; rest(): Promise<SseEvent[]> }

describe('resumable chat replies', () => {
  let t: TestApp
  let upstream: Upstream
  let user: { token: string; id: string }
  let modelId: string

  beforeAll(async () => {
    upstream = await startUpstream()
    t = await createTestApp({ env: { CHAT_RESUME_GRACE_S: '2' } })
    user = await t.registerUser('resumer')
    const res = await t.request('POST', '/api/models', {
      token: user.token,
      body: { providerKind: 'openai', displayName: 'slow', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    modelId = res.body.id
  })
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })
  beforeEach(() => upstream.reset())

  const newSession = async () => (await t.request('POST', '/api/sessions', { token: user.token, body: { modelId } })).body.id as string
  const storedReply = async (sessionId: string) => (await t.request('GET', `/api/sessions/${sessionId}/messages`, { token: user.token })).body.items[1]

  /** Reads an SSE response event by event, keeping each event's `id:` line. */
  function tab(res: Response): Tab {
    const ids: string[] = []
    const events: SseEvent[] = []
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    const next = async (): Promise<SseEvent | undefined> => {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const parsed = parseSse(block).events[0]
          if (!parsed) continue
          ids.push(/^id: (.*)$/m.exec(block)?.[1] ?? '')
          events.push(parsed)
          return parsed
        }
        const { done, value } = await reader.read()
        if (done) return undefined
        buffer += decoder.decode(value, { stream: true })
      }
    }
    const rest = async () => {
      while (await next());
      return events
    }
    return Object.assign({ events, ids, next, rest }, { cut: () => reader.cancel() })
  }

  const send = async (sessionId: string) => {
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'a long answer please' }),
    })
    expect(res.status).toBe(200)
    return tab(res) as Tab & { cut(): Promise<void> }
  }
  const follow = (messageId: string, headers: Record<string, string> = {}, query = '', token = user.token) =>
    t.app.request(`/api/chat/${messageId}/stream${query}`, { headers: { authorization: `Bearer ${token}`, ...headers } })

  async function readUntilDeltas(client: Tab, count: number) {
    while (client.events.filter((e) => e.event === 'delta').length < count) await client.next()
  }
  const textOf = (events: SseEvent[]) => events.filter((e) => e.event === 'delta').map((e) => e.data.text).join('')

  it('gives every event an id and resumes after the last one the client has: every remaining token exactly once', async () => {
    const sessionId = await newSession()
    const tokens = Array.from({ length: 30 }, (_, i) => String.fromCharCode(97 + (i % 26)))
    upstream.enqueue({ chunks: 30, delayMs: 20, text: tokens.join('') })
    const first = await send(sessionId)
    await readUntilDeltas(first, 10)
    await first.cut()
    const assistantId = first.events[0]!.data.assistantMessageId as string
    expect(first.ids.every((id, i) => id === `${assistantId}:${i + 1}:${textOf(first.events.slice(0, i + 1)).length}`)).toBe(true)

    const resumed = await follow(assistantId, { 'last-event-id': first.ids.at(-1)! })
    expect(resumed.status).toBe(200)
    expect(resumed.headers.get('content-type')).toContain('text/event-stream')
    const second = tab(resumed)
    const rest = await second.rest()
    expect(rest.map((e) => e.event)).toEqual([...Array(20).fill('delta'), 'usage', 'done'])
    expect(second.ids[0]).toBe(`${assistantId}:12:11`)
    expect(rest.at(-1)!.data.status).toBe('complete')
    expect(textOf(first.events) + textOf(rest)).toBe(tokens.join(''))
    expect((await storedReply(sessionId)).content).toBe(tokens.join(''))
    expect(upstream.requests).toHaveLength(1)
  })

  it('follows one reply in several tabs, and ?after= works like Last-Event-ID', async () => {
    const sessionId = await newSession()
    upstream.enqueue({ chunks: 12, delayMs: 20, text: 'abcdefghijkl' })
    const first = await send(sessionId)
    await readUntilDeltas(first, 2)
    const assistantId = first.events[0]!.data.assistantMessageId as string
    const [all, after] = await Promise.all([follow(assistantId), follow(assistantId, {}, `?after=${encodeURIComponent(first.ids[1]!)}`)])
    const [fromStart, fromSecond, original] = await Promise.all([tab(all).rest(), tab(after).rest(), first.rest()])
    expect(textOf(original)).toBe('abcdefghijkl')
    expect(fromStart.map((e) => e.event)).toEqual(original.map((e) => e.event))
    expect(textOf(fromStart)).toBe('abcdefghijkl')
    expect(textOf(fromSecond)).toBe('bcdefghijkl')
    expect(fromSecond[0]!.event).toBe('delta')
  })

  it('refuses a malformed, foreign or impossible Last-Event-ID (400) and other users\' replies (404), changing nothing', async () => {
    const sessionId = await newSession()
    upstream.setDefault({ text: 'hello', chunks: 5 })
    const a = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content: 'one' } })
    const b = await t.request('POST', '/api/chat', { token: user.token, body: { sessionId: await newSession(), content: 'two' } })
    const mine = a.body.assistantMessageId as string
    for (const bad of ['garbage', `${mine}:x:1`, `${mine}:1`, `${b.body.assistantMessageId}:2:1`, `${mine}:3:999`]) {
      const res = await follow(mine, { 'last-event-id': bad })
      expect(res.status, bad).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED")
    }
    expect((await follow(mine, {}, '?after=nope')).status).toBe(400)
    const other = await t.registerUser('peeker')
    expect((await follow(mine, {}, '', other.token)).status).toBe(404)
    expect((await follow(mine, { 'last-event-id': `${mine}:1:0` }, '', other.token)).status).toBe(404)
    expect((await follow(a.body.userMessageId as string)).status).toBe(404) // a user message has no reply stream
    expect((await storedReply(sessionId)).content).toBe('hello')
  })

  it('aborts the upstream call and keeps the partial reply when nobody comes back within the grace period', async () => {
    const sessionId = await newSession()
    upstream.enqueue({ chunks: 200, delayMs: 30, text: 'g'.repeat(200) })
    const first = await send(sessionId)
    await readUntilDeltas(first, 3)
    await first.cut()
    await upstream.waitForClientClose(1, 8000)
    const reply = await storedReply(sessionId)
    expect(reply.status).toBe('aborted')
    expect(reply.content).toMatch(/^g{3,199}$/)
    // A late resume gets the stored partial reply and its ending.
    const late = await tab(await follow(first.events[0]!.data.assistantMessageId)).rest()
    expect(late.at(-1)!.data.status).toBe('aborted')
    expect(textOf(late)).toBe(reply.content)
  })

  it('a reconnect within the grace period keeps the reply going to the end', async () => {
    const sessionId = await newSession()
    upstream.enqueue({ chunks: 60, delayMs: 50, text: 'k'.repeat(60) })
    const first = await send(sessionId)
    await readUntilDeltas(first, 2)
    await first.cut()
    await new Promise((r) => setTimeout(r, 300))
    const rest = await tab(await follow(first.events[0]!.data.assistantMessageId, { 'last-event-id': first.ids.at(-1)! })).rest()
    expect(rest.at(-1)!.data.status).toBe('complete')
    expect(textOf(first.events) + textOf(rest)).toBe('k'.repeat(60))
    expect(upstream.clientClosed).toBe(0)
  })
})
