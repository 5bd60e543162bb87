import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readSse } from '../support/sse.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'
import { createGatewayTestApp, type GatewayTestApp } from '../unit/keys/gateway-test-app.ts'

describe('limits and usage over HTTP (chat against the test upstream)', () => {
  let t: GatewayTestApp
  let upstream: Upstream
  let admin: string

  beforeAll(async () => {
    upstream = await startUpstream()
    t = await createGatewayTestApp()
    admin = await t.adminToken()
  })
  afterAll(async () => {
    await t.close()
    await upstream.close()
  })
  beforeEach(() => upstream.reset())

  /** A user with an OpenAI-dialect model and a session on it. */
  async function chatter(name: string, maxOutputTokens = 100) {
    const user = await t.registerUser(name)
    const model = await t.request('POST', '/api/models', {
      token: user.token,
      body: { providerKind: 'openai', displayName: 'gpt', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY, maxOutputTokens },
    })
    expect(model.status, JSON.stringify(model.body)).toBe(201)
    const session = await t.request('POST', '/api/sessions', { token: user.token, body: { modelId: model.body.id } })
    const chat = (content = 'hi', sessionId: string = session.body.id) => t.request('POST', '/api/chat', { token: user.token, body: { sessionId, content } })
    // A chat takes one reply at a time (409): concurrent requests go to another session.
    const newSession = async () => (await t.request('POST', '/api/sessions', { token: user.token, body: { modelId: model.body.id } })).body.id as string
    return { ...user, sessionId: session.body.id as string, chat, newSession }
  }

  const setLimits = (userId: string, limits: Record<string, unknown>) => t.request('PUT', `/api/admin/users/${userId}/limits`, { token: admin, body: limits })

  it('answers 429 with retry-after and a clear message after N requests a minute', async () => {
    const u = await chatter('rpm-user')
    expect((await setLimits(u.id, { requestsPerMinute: 2 })).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await u.chat()).body.status).toBe('complete')
    const refused = await u.chat()
    expect(refused.status).toBe(429)
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'user', limit: 'requestsPerMinute', limitValue: 2 } })
    expect(refused.body.error.message).toMatch(/^Rate limit reached: your account allows 2 requests per minute; retry in \d+ s$/)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(50)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(upstream.requests).toHaveLength(2) // the refused request never reached the provider
  })

  it('limits concurrent streams per user', async () => {
    const u = await chatter('stream-user')
    await setLimits(u.id, { concurrentStreams: 1 })
    upstream.enqueue({ chunks: 30, delayMs: 30 })
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: u.sessionId, content: 'long' }),
    })
    for await (const event of readSse(res)) {
      if (event.event !== 'delta') continue
      const second = await u.chat('meanwhile', await u.newSession())
      expect(second.status).toBe(429)
      expect(second.body.error.details.limit).toBe('concurrentStreams')
      expect(second.headers.get('retry-after')).toBe('1')
      break
    }
    await expect.poll(async () => (await u.chat('after')).status, { timeout: 5000 }).toBe(200)
  })

  it('applies the system default quota, which a user override can lift', async () => {
    const u = await chatter('quota-user', 100)
    expect((await t.request('PATCH', '/api/settings/system', { token: admin, body: { defaultUserQuota: { tokensPerDay: 50 } } })).status).toBe(200)
    const refused = await u.chat()
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('QUOTA_EXCEEDED')
    expect(refused.body.error.message).toMatch(/^Daily token quota exceeded for your account: 0 of 50 tokens used today \(UTC\) and this request may use up to 1\d\d; resets in /)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)

    const lifted = await setLimits(u.id, { tokensPerDay: null })
    expect(lifted.body).toEqual({ userId: u.id, limits: { tokensPerDay: null }, effective: {} })
    expect((await u.chat()).status).toBe(200)
    await t.request('PATCH', '/api/settings/system', { token: admin, body: { defaultUserQuota: {} } })
  })

  it('lets only admins read and set limits, and validates them', async () => {
    const u = await t.registerUser('limits-user')
    expect((await t.request('GET', `/api/admin/users/${u.id}/limits`, { token: u.token })).status).toBe(403)
    expect((await t.request('PUT', `/api/admin/users/${u.id}/limits`, { token: u.token, body: {} })).status).toBe(403)
    expect((await setLimits('no-such-user', {})).status).toBe(404)
    expect((await setLimits(u.id, { requestsPerMinute: 0 })).status).toBe(400)
    expect((await setLimits(u.id, { requestsPerHour: 5 })).status).toBe(400)
    await setLimits(u.id, { concurrentStreams: 3, costBudgetMicrosPerMonth: 5_000_000 })
    const read = await t.request('GET', `/api/admin/users/${u.id}/limits`, { token: admin })
    expect(read.body).toEqual({ userId: u.id, limits: { concurrentStreams: 3, costBudgetMicrosPerMonth: 5_000_000 }, effective: { concurrentStreams: 3, costBudgetMicrosPerMonth: 5_000_000 } })
  })

  it('reports my usage by day and by model, with my limits', async () => {
    const u = await chatter('stats-user')
    await setLimits(u.id, { requestsPerMinute: 100 })
    for (let i = 0; i < 3; i++) await u.chat()
    upstream.enqueue({ fail: 'auth' })
    await u.chat()
    await t.flushUsage()
    const res = await t.request('GET', '/api/usage', { token: u.token })
    expect(res.status).toBe(200)
    const today = new Date().toISOString().slice(0, 10)
    expect(res.body.byDay).toEqual([expect.objectContaining({ key: today, requests: 4, errors: 1 })])
    expect(res.body.byModel).toEqual([expect.objectContaining({ key: 'gpt-4o-mini', requests: 4, errors: 1, outputTokens: 12 })])
    expect(res.body.totals).toMatchObject({ requests: 4, errors: 1, outputTokens: 12 })
    expect(res.body.totals.costMicros).toBeGreaterThan(0)
    expect(res.body.limits).toEqual({ requestsPerMinute: 100 })
    expect((await t.request('GET', '/api/usage?from=2020-01-01&to=2020-01-31', { token: u.token })).body.totals.requests).toBe(0)
    expect((await t.request('GET', '/api/usage?from=tomorrow', { token: u.token })).status).toBe(400)
    expect((await t.request('GET', '/api/usage')).status).toBe(401)
  })

  it("gives admins everyone's usage grouped by user, model, key or day", async () => {
    const u = await chatter('report-user')
    await u.chat()
    await t.flushUsage()
    const byUser = await t.request('GET', '/api/admin/usage?groupBy=user', { token: admin })
    expect(byUser.status).toBe(200)
    expect(byUser.body.items).toContainEqual(expect.objectContaining({ key: u.id, label: 'report-user', requests: 1 }))
    for (const groupBy of ['model', 'key', 'day']) {
      const res = await t.request('GET', `/api/admin/usage?groupBy=${groupBy}`, { token: admin })
      expect(res.status).toBe(200)
      expect(res.body.totals.requests).toBe(byUser.body.totals.requests)
    }
    expect((await t.request('GET', `/api/admin/usage?groupBy=model&userId=${u.id}`, { token: admin })).body.totals.requests).toBe(1)
    expect((await t.request('GET', '/api/admin/usage?groupBy=colour', { token: admin })).status).toBe(400)
    expect((await t.request('GET', '/api/admin/usage', { token: u.token })).status).toBe(403)
  })
})
