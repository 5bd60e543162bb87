import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PromMetrics } from '../../src/features/metrics/adapters/prom-metrics.ts'
import { serveMetrics } from '../../src/features/metrics/adapters/metrics-server.ts'
import { readSse } from '../support/sse.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'
import { startUpstream, UPSTREAM_KEY, type Upstream } from '../support/upstream/server.ts'

const TOKEN = 'metrics-token-0123456789'

/** The value of one sample line, e.g. sample(text, 'chatbase_tokens_total', { direction: 'out' }). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))
  })
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

describe('GET /metrics (METRICS_TOKEN set)', () => {
  let t: TestApp
  let upstream: Upstream
  let user: { token: string; id: string }
  let sessionId: string
  const scrape = async () => {
    const res = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(200)
    return res.body as string
  }

  beforeAll(async () => {
    upstream = await startUpstream()
    t = await createTestApp({ env: { METRICS_TOKEN: TOKEN } })
    user = await t.registerUser('metered')
    const model = await t.request('POST', '/api/models', {
      token: user.token,
      body: { providerKind: 'openai', displayName: 'gpt', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1`, apiKey: UPSTREAM_KEY },
    })
    const session = await t.request('POST', '/api/sessions', { token: user.token, body: { modelId: model.body.id } })
    sessionId = session.body.id
  })
  afterAll(async () => {
    await t?.close()
    await upstream?.close()
  })

  it('refuses a scrape without the token, or with a wrong one, in the error envelope', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: TOKEN }] as Record<string, string>[]) {
      const res = await t.request('GET', '/metrics', { headers })
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
  })

  it('serves the Prometheus text format with process metrics', async () => {
    const res = await t.app.request('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    expect(text).toContain('# TYPE chatbase_http_requests_total counter')
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0)
    expect(text).not.toContain('chatbase_db_pool_connections') // SQLite has no pool
  })

  it('counts a streamed chat: upstream call, first token, overhead, tokens, active streams back to 0', async () => {
    const res = await t.request('POST', '/api/chat/stream', { token: user.token, body: { sessionId, content: 'Hello' } })
    expect(res.status).toBe(200)
    const text = await scrape()
    const model = { provider: 'openai', model: 'gpt-4o-mini' }
    expect(sample(text, 'chatbase_http_requests_total', { method: 'POST', route: '/api/chat/stream', status: '200' })).toBe(1)
    expect(sample(text, 'chatbase_upstream_requests_total', { ...model, status: '200' })).toBe(1)
    expect(sample(text, 'chatbase_upstream_request_duration_seconds_count', { ...model, status: '200' })).toBe(1)
    expect(sample(text, 'chatbase_time_to_first_token_seconds_count', { source: 'chat', ...model })).toBe(1)
    expect(sample(text, 'chatbase_overhead_seconds_count', { source: 'chat' })).toBe(1)
    expect(sample(text, 'chatbase_tokens_total', { ...model, direction: 'out' })).toBe(4)
    expect(sample(text, 'chatbase_tokens_total', { ...model, direction: 'in' })).toBeGreaterThan(0)
    expect(sample(text, 'chatbase_active_streams', { source: 'chat' })).toBe(0)
  })

  it('shows a stream as active while it runs', async () => {
    upstream.enqueue({ chunks: 10, delayMs: 100 })
    const res = await t.app.request('/api/chat/stream', {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId, content: 'slowly' }),
    })
    const events = readSse(res)
    while ((await events.next()).value?.event !== 'delta');
    expect(sample(await scrape(), 'chatbase_active_streams', { source: 'chat' })).toBe(1)
    for await (const _ of events);
    expect(sample(await scrape(), 'chatbase_active_streams', { source: 'chat' })).toBe(0)
  })

  it('labels requests by route template, and every unknown path with one label', async () => {
    await t.request('GET', `/api/sessions/${sessionId}/messages`, { token: user.token })
    await t.request('GET', '/api/sessions/not-a-session/messages', { token: user.token })
    await t.request('GET', '/no/such/route-1.js')
    await t.request('GET', '/chat/console-route-3')
    await t.request('GET', '/api/no/such/route-2', { token: user.token })
    await t.request('DELETE', '/health')
    const text = await scrape()
    expect(sample(text, 'chatbase_http_requests_total', { route: '/api/sessions/:id/messages', status: '200' })).toBe(1)
    expect(sample(text, 'chatbase_http_requests_total', { route: '/api/sessions/:id/messages', status: '404' })).toBe(1)
    expect(sample(text, 'chatbase_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(2)
    expect(sample(text, 'chatbase_http_requests_total', { method: 'DELETE', route: 'unmatched', status: '404' })).toBe(1)
    // The web console's client routes and files are one label too.
    expect(sample(text, 'chatbase_http_requests_total', { method: 'GET', route: 'console', status: '200' })).toBe(1)
    expect(sample(text, 'chatbase_http_request_duration_seconds_count', { route: '/api/sessions/:id/messages', status: '200' })).toBe(1)
    expect(text).not.toMatch(/route-1|route-2|route-3|not-a-session|metered/)
    expect(text).not.toContain(sessionId)
    expect(text).not.toContain(user.id)
  })

  it('keeps each app\'s metrics apart (a registry per container)', async () => {
    const other = await createTestApp({ env: { METRICS_TOKEN: TOKEN } })
    try {
      const res = await other.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(sample(res.body, 'chatbase_upstream_requests_total')).toBeUndefined()
      expect(sample(await scrape(), 'chatbase_upstream_requests_total', { status: '200' })).toBe(2)
    } finally {
      await other.close()
    }
  })
})

describe('where /metrics is served', () => {
  it('answers 404 on the main port when METRICS_TOKEN is not set', async () => {
    const t = await createTestApp()
    try {
      const res = await t.request('GET', '/metrics')
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    } finally {
      await t.close()
    }
  })

  it('with METRICS_PORT, serves it only on that port (token still required when set)', async () => {
    const t = await createTestApp({ env: { METRICS_TOKEN: TOKEN, METRICS_PORT: '9464' } })
    const server = await serveMetrics(t.container, { port: 0, host: '127.0.0.1', token: TOKEN })
    try {
      expect((await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404)
      expect((await fetch(server.url)).status).toBe(401)
      const res = await fetch(server.url, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('chatbase_http_requests_total')
      expect((await fetch(server.url.replace('/metrics', '/health'))).status).toBe(404)
    } finally {
      await server.close()
      await t.close()
    }
  })

  it('on PostgreSQL, reports the connection pool', async () => {
    const t = await createTestApp({ kind: 'postgres', env: { METRICS_TOKEN: TOKEN, DATABASE_POOL_SIZE: '7' } })
    try {
      await t.request('GET', '/ready')
      const res = await t.request('GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
      // The test database helper opens its own pool of 4 (DATABASE_POOL_SIZE applies to the server's pool).
      expect(sample(res.body, 'chatbase_db_pool_connections', { state: 'max' })).toBeGreaterThan(0)
      expect(sample(res.body, 'chatbase_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1)
      expect(sample(res.body, 'chatbase_db_pool_connections', { state: 'waiting' })).toBe(0)
    } finally {
      await t.close()
    }
  })
})

describe('PromMetrics', () => {
  it('counts quota rejections and closes a stream gauge only once', async () => {
    const metrics = new PromMetrics({ defaultMetrics: false })
    metrics.quotaRejected('relay', 'daily_tokens')
    metrics.quotaRejected('relay', 'daily_tokens')
    const close = metrics.streamOpened('relay')
    close()
    close()
    const text = await metrics.render()
    expect(sample(text, 'chatbase_quota_rejections_total', { source: 'relay', reason: 'daily_tokens' })).toBe(2)
    expect(sample(text, 'chatbase_active_streams', { source: 'relay' })).toBe(0)
    expect(text).not.toContain('process_cpu')
  })
})
