import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisReplyFeed } from '../../../src/features/chat/adapters/redis-reply-feed.ts'
import { ReplyFeed } from '../../../src/features/chat/reply-feed.port.ts'
import { resolve } from '../../../src/shared/di.ts'
import { parseSse, type SseEvent } from '../../support/sse.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../../support/upstream/server.ts'
import { startReplicas, type Replica } from './replicas.ts'

// Two replicas sharing PostgreSQL and Redis: a reply generated on A, whose client was cut off,
// is resumed on B with Last-Event-ID and arrives whole, every token exactly once.

/** Reads an SSE response event by event, keeping each event's id. */
function reader(res: Response) {
  const events: (SseEvent & { id: string })[] = []
  const body = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    events,
    async next(): Promise<boolean> {
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = parseSse(block).events[0]
          if (!event) continue
          events.push({ ...event, id: /^id: (.*)$/m.exec(block)?.[1] ?? '' })
          return true
        }
        const { done, value } = await body.read()
        if (done) return false
        buffer += decoder.decode(value, { stream: true })
      }
    },
    cut: () => body.cancel(),
  }
}

const deltasOf = (events: SseEvent[]) => events.filter((e) => e.event === 'delta').map((e) => e.data.text as string)

describe('a reply resumed on another replica', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica
  let upstream: Upstream
  let token: string
  let modelId: string

  beforeAll(async () => {
    upstream = await startUpstream()
    // A short grace period: a replica must count a follower elsewhere, or the reply would be abandoned under it.
    cluster = await startReplicas(2, { CHAT_RESUME_GRACE_S: '2' })
    ;[a, b] = cluster.replicas as [Replica, Replica]
    const registered = await a.request('POST', '/api/auth/register', { body: { username: 'roamer', password: 'roamer password' } })
    token = registered.body.accessToken
    const model = await a.request('POST', '/api/models', {
      token,
      body: { providerKind: 'openai', displayName: 'slow', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY, maxOutputTokens: 200 },
    })
    modelId = model.body.id
  })
  afterAll(async () => {
    await cluster?.close()
    await upstream?.close()
  })

  const send = (sessionId: string) =>
    a.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'tell me a long story' }),
    })
  const follow = (on: Replica, messageId: string, lastEventId?: string) =>
    on.app.request(`/api/chat/${messageId}/stream`, { headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } })

  it('uses the Redis feed on both replicas', () => {
    for (const replica of [a, b]) expect(resolve(replica.container, ReplyFeed)).toBeInstanceOf(RedisReplyFeed)
  })

  it('cut after 10 tokens on A, resumed on B with Last-Event-ID: every remaining token exactly once, stored message equal', async () => {
    upstream.reset()
    const session = await a.request('POST', '/api/sessions', { token, body: { modelId } })
    // 60 distinct tokens, 80 ms apart: about 5 s in all, longer than the grace period.
    const tokens = Array.from({ length: 60 }, (_, i) => `t${i} `)
    upstream.enqueue({ chunks: 60, delayMs: 80, text: tokens.join('') })
    const onA = reader(await send(session.body.id))
    while (deltasOf(onA.events).length < 10) expect(await onA.next()).toBe(true)
    await onA.cut()
    const messageId = onA.events[0]!.data.assistantMessageId as string
    const lastId = onA.events.at(-1)!.id
    expect(lastId).toBe(`${messageId}:11:${deltasOf(onA.events).join('').length}`)

    const resumed = await follow(b, messageId, lastId)
    expect(resumed.status).toBe(200)
    const onB = reader(resumed)
    while (await onB.next());
    expect(onB.events.map((e) => e.event)).toEqual([...Array(50).fill('delta'), 'usage', 'done'])
    expect(onB.events.at(-1)!.data.status).toBe('complete')
    const received = [...deltasOf(onA.events), ...deltasOf(onB.events)]
    expect(received).toHaveLength(60) // each token once (none twice, none missing), in order
    expect(received.join('')).toBe(tokens.join(''))
    // Ids go on where A's stopped.
    expect(onB.events[0]!.id).toBe(`${messageId}:12:${received.slice(0, 11).join('').length}`)

    const stored = await b.request('GET', `/api/sessions/${session.body.id}/messages`, { token })
    expect(stored.body.items[1]).toMatchObject({ id: messageId, status: 'complete', content: received.join('') })
    expect(upstream.requests).toHaveLength(1)
    expect(upstream.clientClosed).toBe(0) // never abandoned: B's follower counted on A
  })

  it('B follows from the start too, and an ended reply comes from the database on B', async () => {
    upstream.reset()
    const session = await a.request('POST', '/api/sessions', { token, body: { modelId } })
    upstream.enqueue({ chunks: 12, delayMs: 40, text: 'abcdefghijkl' })
    const onA = reader(await send(session.body.id))
    await onA.next()
    const messageId = onA.events[0]!.data.assistantMessageId as string
    const fromStart = reader(await follow(b, messageId))
    while (await fromStart.next());
    while (await onA.next());
    expect(fromStart.events.map((e) => e.event)).toEqual(onA.events.map((e) => e.event))
    expect(deltasOf(fromStart.events).join('')).toBe('abcdefghijkl')
    const later = reader(await follow(b, messageId, onA.events[4]!.id))
    while (await later.next());
    expect(deltasOf(later.events).join('')).toBe('efghijkl')
  })

  it("refuses another user's reply on B (404) and a foreign Last-Event-ID (400)", async () => {
    const session = await a.request('POST', '/api/sessions', { token, body: { modelId } })
    const reply = await a.request('POST', '/api/chat', { token, body: { sessionId: session.body.id, content: 'hi' } })
    const other = await b.request('POST', '/api/auth/register', { body: { username: 'stranger', password: 'stranger password' } })
    const theirs = await b.app.request(`/api/chat/${reply.body.assistantMessageId}/stream`, { headers: { authorization: `Bearer ${other.body.accessToken}` } })
    expect(theirs.status).toBe(404)
    expect((await follow(b, reply.body.assistantMessageId, `${reply.body.userMessageId}:1:0`)).status).toBe(400)
  })
})
