import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisReplyControl, STOP_ACK_TIMEOUT_MS } from '../../../src/features/chat/adapters/redis-reply-control.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'
import { readSse } from '../../support/sse.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../../support/upstream/server.ts'
import { startReplicas, type Replica } from './replicas.ts'

describe('RedisReplyControl on a real Redis', () => {
  let redis: TestRedis
  let connection: Redis
  const controls: RedisReplyControl[] = []

  async function replica(ackTimeoutMs = STOP_ACK_TIMEOUT_MS) {
    const control = new RedisReplyControl(connection, createLogger('silent'))
    control.ackTimeoutMs = ackTimeoutMs
    controls.push(control)
    await control.ready
    return control
  }

  beforeAll(async () => {
    redis = await createTestRedis()
    connection = await redis.open()
  })
  afterAll(async () => {
    await Promise.all(controls.map((c) => c.dispose()))
    await redis?.cleanup()
  })

  it('stops a reply running here without Redis round trips', async () => {
    const a = await replica()
    let stopped = 0
    a.register('m-local', { ownerId: 'alice' }, () => stopped++)
    expect(await a.stop('m-local', 'alice')).toBe(true)
    expect(stopped).toBe(1)
  })

  it('stops a reply running on another replica, which acknowledges', async () => {
    const [a, b] = [await replica(), await replica()]
    let stopped = 0
    const unregister = a.register('m-remote', { ownerId: 'alice' }, () => stopped++)
    const started = Date.now()
    expect(await b.stop('m-remote', 'alice')).toBe(true)
    expect(Date.now() - started).toBeLessThan(STOP_ACK_TIMEOUT_MS)
    expect(stopped).toBe(1)
    expect(a.runningLocal()).toBe(1) // the stream itself unregisters when it ends
    unregister()
  })

  it('answers false after the timeout when nobody runs the reply, or it belongs to someone else', async () => {
    const [a, b] = [await replica(), await replica(150)]
    let stopped = 0
    a.register('m-owned', { ownerId: 'alice' }, () => stopped++)
    expect(await b.stop('m-owned', 'mallory')).toBe(false)
    expect(await b.stop('m-nowhere', 'alice')).toBe(false)
    expect(stopped).toBe(0)
  })

  it('settles pending stops and closes its subscriber on dispose', async () => {
    const b = await replica(10_000)
    const count = async () => ((await connection.pubsub('NUMSUB', `${redis.prefix}chatbase:reply-stop`)) as [string, number])[1]
    const before = await count()
    const pending = b.stop('m-nowhere', 'alice')
    await b.dispose()
    expect(await pending).toBe(false)
    await expect.poll(count, { timeout: 1000 }).toBe(before - 1)
  })
})

describe('a stop request on replica B stops a stream served by replica A', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica
  let upstream: Upstream

  beforeAll(async () => {
    upstream = await startUpstream()
    cluster = await startReplicas(2)
    ;[a, b] = cluster.replicas as [Replica, Replica]
  })
  afterAll(async () => {
    await cluster?.close()
    await upstream?.close()
  })

  it('B answers {stopped: true}; A ends the stream as aborted, keeps the partial text and closes the upstream call', async () => {
    const registered = await a.request('POST', '/api/auth/register', { body: { username: 'streamer', password: 'streamer password' } })
    const token: string = registered.body.accessToken
    const model = await a.request('POST', '/api/models', {
      token,
      body: { providerKind: 'openai', displayName: 'slow', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    expect(model.status, JSON.stringify(model.body)).toBe(201)
    const session = await a.request('POST', '/api/sessions', { token, body: { modelId: model.body.id } })
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'z'.repeat(50) })

    const res = await a.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: session.body.id, content: 'a long answer please' }),
    })
    expect(res.status).toBe(200)
    let assistantId = ''
    let deltas = 0
    let stop: { status: number; body: unknown } | undefined
    let done: any
    for await (const event of readSse(res)) {
      if (event.event === 'message') assistantId = event.data.assistantMessageId
      if (event.event === 'delta' && ++deltas === 3) stop = await b.request('POST', `/api/chat/${assistantId}/stop`, { token })
      if (event.event === 'done') done = event.data
    }
    expect(stop).toEqual({ status: 200, body: { stopped: true, status: 'aborted' }, headers: expect.anything() })
    expect(done.status).toBe('aborted')
    await upstream.waitForClientClose(1, 5000)

    const messages = await b.request('GET', `/api/sessions/${session.body.id}/messages`, { token })
    const reply = messages.body.items.find((m: any) => m.id === assistantId)
    expect(reply.status).toBe('aborted')
    expect(reply.content).toMatch(/^z{3,49}$/)
  })

  it('deleting the chat on B stops the reply streaming on A and its upstream call', async () => {
    upstream.reset()
    const registered = await a.request('POST', '/api/auth/register', { body: { username: 'deleter', password: 'deleter password' } })
    const token: string = registered.body.accessToken
    const model = await a.request('POST', '/api/models', {
      token,
      body: { providerKind: 'openai', displayName: 'slow', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    const session = await a.request('POST', '/api/sessions', { token, body: { modelId: model.body.id } })
    upstream.enqueue({ chunks: 50, delayMs: 40, text: 'q'.repeat(50) })
    const res = await a.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: session.body.id, content: 'a long answer please' }),
    })
    const events: { event: string; data: any }[] = []
    let deleted: number | undefined
    for await (const event of readSse(res)) {
      events.push(event)
      if (event.event === 'delta' && deleted === undefined) deleted = (await b.request('DELETE', `/api/sessions/${session.body.id}`, { token })).status
    }
    expect(deleted).toBe(204)
    expect(events.slice(-2).map((e) => [e.event, e.data.code ?? e.data.status])).toEqual([['error', 'NOT_FOUND'], ['done', 'aborted']])
    await upstream.waitForClientClose(1, 5000)
  })
})
