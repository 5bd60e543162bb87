import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatSessionRepository } from '../../src/features/chat/chat-session.repository.port.ts'
import { MessageRepository } from '../../src/features/chat/message.repository.port.ts'
import { sessionsRoutes } from '../../src/features/chat/sessions.routes.ts'
import { resolve } from '../../src/shared/di.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

describe.each(['sqlite', 'postgres'] as const)('chat sessions over HTTP on %s', (kind) => {
  let t: TestApp
  let request: TestApp['request']
  let alice: { token: string; id: string }
  let bob: { token: string; id: string }

  const addModel = (id: string, ownerId: string | null, enabled = true) =>
    t.db.client.modelConfig.create({
      data: { id, ownerId, enabled, providerKind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', modelId: 'gpt-4o-mini', displayName: id, contextWindow: 128000, maxOutputTokens: 4096 },
    })

  beforeAll(async () => {
    t = await createTestApp({ kind })
    request = t.request
    alice = await t.registerUser('alice')
    bob = await t.registerUser('bob')
    await addModel('m-alice', alice.id)
    await addModel('m-shared', null)
    await addModel('m-off', null, false)
  })
  afterAll(() => t.close())

  it('needs a signed-in caller on every route', async () => {
    for (const [method, url] of [['GET', '/api/sessions'], ['POST', '/api/sessions'], ['GET', '/api/sessions/x'], ['PATCH', '/api/sessions/x'], ['DELETE', '/api/sessions/x'], ['GET', '/api/sessions/x/messages']] as const) {
      const res = await request(method, url, { body: method === 'POST' || method === 'PATCH' ? { title: 'x' } : undefined })
      expect(res.status, `${method} ${url}`).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
  })

  it('creates, reads, renames and deletes a session', async () => {
    const created = await request('POST', '/api/sessions', { token: alice.token, body: {} })
    expect(created.status).toBe(201)
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'id', 'lastActivityAt', 'modelId', 'systemPrompt', 'title', 'updatedAt'])
    expect(created.body).toMatchObject({ title: 'New chat', modelId: null, systemPrompt: null })
    const id = created.body.id

    expect((await request('GET', `/api/sessions/${id}`, { token: alice.token })).body).toEqual(created.body)
    const patched = await request('PATCH', `/api/sessions/${id}`, { token: alice.token, body: { title: 'Trip', modelId: 'm-shared', systemPrompt: 'Be brief.' } })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ id, title: 'Trip', modelId: 'm-shared', systemPrompt: 'Be brief.' })
    expect((await request('PATCH', `/api/sessions/${id}`, { token: alice.token, body: { modelId: null, systemPrompt: null } })).body).toMatchObject({ modelId: null, systemPrompt: null })

    const deleted = await request('DELETE', `/api/sessions/${id}`, { token: alice.token })
    expect(deleted.status).toBe(204)
    expect((await request('GET', `/api/sessions/${id}`, { token: alice.token })).status).toBe(404)
    expect((await request('DELETE', `/api/sessions/${id}`, { token: alice.token })).status).toBe(404)
  })

  it('accepts only models the caller may use (404 otherwise)', async () => {
    expect((await request('POST', '/api/sessions', { token: alice.token, body: { modelId: 'm-alice' } })).body.modelId).toBe('m-alice')
    for (const modelId of ['m-off', 'm-missing']) {
      expect((await request('POST', '/api/sessions', { token: alice.token, body: { modelId } })).status).toBe(404)
    }
    const res = await request('POST', '/api/sessions', { token: bob.token, body: { modelId: 'm-alice' } })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
    const bobs = await request('POST', '/api/sessions', { token: bob.token, body: {} })
    expect((await request('PATCH', `/api/sessions/${bobs.body.id}`, { token: bob.token, body: { modelId: 'm-alice' } })).status).toBe(404)
  })

  it('gives a session created without a model the default model: mine, else the system default, if I may use it', async () => {
    const admin = await t.adminToken()
    await t.db.client.modelConfig.create({
      data: { id: 'm-admins', ownerId: null, visibility: 'admins', providerKind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', modelId: 'gpt-4o-mini', displayName: 'admins', contextWindow: 128000, maxOutputTokens: 4096 },
    })
    const newSession = async (token: string, body: Record<string, unknown> = {}) => {
      const res = await request('POST', '/api/sessions', { token, body })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.modelId as string | null
    }
    const setSystemDefault = async (id: string | null) =>
      expect((await request('PATCH', '/api/settings/system', { token: admin, body: { defaultModelId: id } })).status).toBe(200)
    try {
      expect(await newSession(alice.token)).toBeNull() // no default anywhere
      await setSystemDefault('m-shared')
      expect(await newSession(alice.token)).toBe('m-shared')
      expect((await request('PATCH', '/api/settings/me', { token: alice.token, body: { defaultModelId: 'm-alice' } })).status).toBe(200)
      expect(await newSession(alice.token)).toBe('m-alice') // mine first
      expect(await newSession(bob.token)).toBe('m-shared') // bob has none of his own
      expect(await newSession(alice.token, { modelId: 'm-shared' })).toBe('m-shared') // an explicit model wins
      expect(await newSession(alice.token, { title: 'no model field' })).toBe('m-alice')

      // A default the caller may not use (hidden, disabled) is skipped, not forced on the session.
      await setSystemDefault('m-admins')
      expect(await newSession(bob.token)).toBeNull()
      expect(await newSession(admin)).toBe('m-admins')
      await setSystemDefault('m-off')
      expect(await newSession(bob.token)).toBeNull()
      expect(await newSession(alice.token)).toBe('m-alice')
    } finally {
      await request('PATCH', '/api/settings/me', { token: alice.token, body: { defaultModelId: null } })
      await request('PATCH', '/api/settings/system', { token: admin, body: { defaultModelId: null } })
    }
  })

  it("hides another user's session behind 404 and leaves it unchanged", async () => {
    const mine = (await request('POST', '/api/sessions', { token: alice.token, body: { title: 'Private' } })).body
    for (const [method, url, body] of [
      ['GET', `/api/sessions/${mine.id}`, undefined],
      ['PATCH', `/api/sessions/${mine.id}`, { title: 'stolen' }],
      ['DELETE', `/api/sessions/${mine.id}`, undefined],
      ['GET', `/api/sessions/${mine.id}/messages`, undefined],
    ] as const) {
      const res = await request(method, url, { token: bob.token, body })
      expect(res.status, `${method} ${url}`).toBe(404)
    }
    expect((await request('GET', `/api/sessions/${mine.id}`, { token: alice.token })).body.title).toBe('Private')
    const bobList = await request('GET', '/api/sessions?limit=100', { token: bob.token })
    expect(bobList.body.items.map((s: { id: string }) => s.id)).not.toContain(mine.id)
  })

  it.each([
    ['an unknown field', 'POST', '/api/sessions', { title: 'x', owner: 'bob' }],
    ['a title over 200 characters', 'POST', '/api/sessions', { title: 'x'.repeat(201) }],
    ['a blank title', 'POST', '/api/sessions', { title: '   ' }],
    ['a system prompt over 20,000 characters', 'POST', '/api/sessions', { systemPrompt: 'x'.repeat(20_001) }],
    ['a wrong type', 'POST', '/api/sessions', { modelId: 42 }],
    ['a limit over 100', 'GET', '/api/sessions?limit=101', undefined],
    ['a foreign cursor', 'GET', '/api/sessions?cursor=bm9wZQ', undefined],
  ])('answers %s with 400', async (_what, method, url, body) => {
    const res = await request(method, url, { token: alice.token, body })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
  })

  it('pages through own sessions newest first and searches titles', async () => {
    const carol = await t.registerUser('carol')
    const made: string[] = []
    for (const title of ['Paris trip', 'Rome', 'paris food', 'Berlin', 'PARIS again']) {
      made.push((await request('POST', '/api/sessions', { token: carol.token, body: { title } })).body.id)
    }
    const sessions = resolve(t.container, ChatSessionRepository)
    for (const [i, id] of made.entries()) await sessions.touch(id, new Date(Date.UTC(2030, 0, 1, 0, 0, i)))

    const seen: string[] = []
    let url = '/api/sessions?limit=2'
    for (;;) {
      const page = await request('GET', url, { token: carol.token })
      expect(page.status).toBe(200)
      seen.push(...page.body.items.map((s: { title: string }) => s.title))
      if (!page.body.nextCursor) break
      url = `/api/sessions?limit=2&cursor=${page.body.nextCursor}`
    }
    expect(seen).toEqual(['PARIS again', 'Berlin', 'paris food', 'Rome', 'Paris trip'])
    const search = await request('GET', '/api/sessions?q=paris', { token: carol.token })
    expect(search.body).toEqual({ items: expect.any(Array), nextCursor: null })
    expect(search.body.items.map((s: { title: string }) => s.title)).toEqual(['PARIS again', 'paris food', 'Paris trip'])
  })

  it('lists messages oldest first with their status, usage and errors; they go with the session', async () => {
    const session = (await request('POST', '/api/sessions', { token: alice.token, body: {} })).body
    const messages = resolve(t.container, MessageRepository)
    const base = { sessionId: session.id, modelConfigId: null, tokenCount: null }
    await messages.append({ ...base, id: 'msg-1', parentId: null, role: 'user', content: 'Hi', status: 'complete' })
    await messages.append({ ...base, id: 'msg-2', parentId: 'msg-1', role: 'assistant', content: '', status: 'streaming' })
    await messages.finalize('msg-2', {
      status: 'error',
      content: 'Hel',
      finishReason: null,
      usage: { inputTokens: 12, outputTokens: 2, cachedTokens: null, reasoningTokens: null, estimated: true },
      tokenCount: null,
      errorCode: 'PROVIDER_UNAVAILABLE',
      errorMessage: 'OpenAI unavailable',
    })
    await messages.append({ ...base, id: 'msg-3', parentId: 'msg-1', role: 'assistant', content: 'Hello!', status: 'complete' })

    const first = await request('GET', `/api/sessions/${session.id}/messages?limit=2`, { token: alice.token })
    expect(first.status).toBe(200)
    expect(first.body.items).toEqual([
      { id: 'msg-1', role: 'user', content: 'Hi', status: 'complete', parentId: null, finishReason: null, usage: { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, estimated: false }, errorCode: null, errorMessage: null, createdAt: expect.any(String) },
      { id: 'msg-2', role: 'assistant', content: 'Hel', status: 'error', parentId: 'msg-1', finishReason: null, usage: { inputTokens: 12, outputTokens: 2, cachedTokens: null, reasoningTokens: null, estimated: true }, errorCode: 'PROVIDER_UNAVAILABLE', errorMessage: 'OpenAI unavailable', createdAt: expect.any(String) },
    ])
    const second = await request('GET', `/api/sessions/${session.id}/messages?limit=2&cursor=${first.body.nextCursor}`, { token: alice.token })
    expect(second.body).toMatchObject({ items: [{ id: 'msg-3', content: 'Hello!' }], nextCursor: null })

    expect((await request('DELETE', `/api/sessions/${session.id}`, { token: alice.token })).status).toBe(204)
    expect(await messages.listAll(session.id)).toEqual([])
  })

  it('documents every route in OpenAPI', () => {
    const doc = sessionsRoutes(t.container).getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'chat', version: '0' } })
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/api/sessions', '/api/sessions/{id}', '/api/sessions/{id}/messages'])
    expect(Object.keys(doc.paths?.['/api/sessions/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch'])
  })
})
