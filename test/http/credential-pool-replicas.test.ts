import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { credentialPoolRoutes } from '../../src/features/models/credential-pool.routes.ts'
import { startReplicas, ADMIN, type Replica } from '../integration/redis/replicas.ts'
import type { TestRedis } from '../support/redis.ts'
import { startUpstream, type Upstream } from '../support/upstream/server.ts'

// Needs PostgreSQL and Redis, like test/integration/redis.
const BAD = 'sk-replica-rejected-0123456789aBAD9'
const GOOD = 'sk-replica-accepted-0123456789aOK77'

describe('credential cooldowns are shared by replicas through Redis', () => {
  let replicas: Replica[]
  let redis: TestRedis
  let close: () => Promise<void>
  let upstream: Upstream

  beforeAll(async () => {
    upstream = await startUpstream({ keys: [GOOD] })
    ;({ replicas, redis, close } = await startReplicas(2))
    for (const r of replicas) {
      if (!r.app.routes.some((route) => route.path === '/api/models/system/:id/credentials')) r.app.route('/', credentialPoolRoutes(r.container))
    }
  })
  afterAll(async () => {
    await close?.()
    await upstream?.close()
  })

  it('a key rejected on replica A sits out on replica B', async () => {
    const [a, b] = replicas as [Replica, Replica]
    const adminA = await a.login(ADMIN.username, ADMIN.password)
    const model = await a.request('POST', '/api/models/system', {
      token: adminA,
      body: { providerKind: 'openai', displayName: 'pooled', modelId: 'gpt-4o-mini', baseUrl: `${upstream.url}/v1` },
    })
    const modelId = model.body.id as string
    const bad = await a.request('POST', `/api/models/system/${modelId}/credentials`, { token: adminA, body: { label: 'bad', apiKey: BAD, weight: 100 } })
    await a.request('POST', `/api/models/system/${modelId}/credentials`, { token: adminA, body: { label: 'good', apiKey: GOOD, weight: 1 } })
    const sessionId = (await a.request('POST', '/api/sessions', { token: adminA, body: { modelId } })).body.id as string
    const keysUsed = () => upstream.requests.map((r) => String(r.headers.authorization).replace('Bearer ', ''))

    // The bad key is the first choice 100 times in 101: a few requests surely hit it.
    for (let i = 0; i < 5 && !keysUsed().includes(BAD); i++) {
      expect((await a.request('POST', '/api/chat', { token: adminA, body: { sessionId, content: 'hi' } })).body.status).toBe('complete')
    }
    expect(keysUsed()).toContain(BAD)
    await expect.poll(async () => (await redis.keys()).some((k) => k.endsWith(`credential-cooldown:${bad.body.id}`))).toBe(true)

    upstream.reset()
    const adminB = await b.login(ADMIN.username, ADMIN.password)
    for (let i = 0; i < 5; i++) {
      expect((await b.request('POST', '/api/chat', { token: adminB, body: { sessionId, content: 'hi' } })).body.status).toBe('complete')
    }
    expect(keysUsed()).toEqual(Array(5).fill(GOOD))
    const pool = await b.request('GET', `/api/models/system/${modelId}/credentials`, { token: adminB })
    expect(pool.body.items.find((c: { id: string }) => c.id === bad.body.id)).toMatchObject({ state: 'cooling', lastStatus: 401 })
    for (const r of replicas) expect(r.logs.join('')).not.toMatch(new RegExp(`${BAD}|${GOOD}`))
  })
})
