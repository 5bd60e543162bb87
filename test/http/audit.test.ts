import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

describe('audit log over HTTP', () => {
  let t: TestApp
  let admin: string
  let alice: string
  let startedAt: string
  beforeAll(async () => {
    t = await createTestApp()
    admin = await t.adminToken()
    alice = (await t.registerUser('alice')).token
    startedAt = new Date(Date.now() - 1000).toISOString()
    for (const maxMessageChars of [1000, 2000, 3000]) {
      await t.request('PATCH', '/api/settings/system', { token: admin, body: { maxMessageChars } })
    }
  })
  afterAll(() => t.close())

  it('is for administrators only', async () => {
    expect((await t.request('GET', '/api/audit')).status).toBe(401)
    const res = await t.request('GET', '/api/audit', { token: alice })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
  })

  it('lists newest first and pages with the cursor', async () => {
    const first = await t.request('GET', '/api/audit?action=settings.system_changed&limit=2', { token: admin })
    expect(first.status).toBe(200)
    expect(first.body.items.map((r: any) => r.metadata.values.maxMessageChars)).toEqual([3000, 2000])
    expect(first.body.items[0]).toMatchObject({ actorId: expect.any(String), targetType: 'system_settings', targetId: null, createdAt: expect.any(String) })
    expect(first.body.nextCursor).toEqual(first.body.items[1].id)

    const second = await t.request('GET', `/api/audit?action=settings.system_changed&limit=2&cursor=${first.body.nextCursor}`, { token: admin })
    expect(second.body.items.map((r: any) => r.metadata.values.maxMessageChars)).toEqual([1000])
    expect(second.body.nextCursor).toBeNull()
  })

  it('filters by actor and time', async () => {
    const all = await t.request('GET', '/api/audit?action=settings.system_changed', { token: admin })
    const actorId = all.body.items[0].actorId
    expect((await t.request('GET', `/api/audit?actorId=${actorId}&from=${startedAt}`, { token: admin })).body.items.length).toBeGreaterThanOrEqual(3)
    expect((await t.request('GET', `/api/audit?actorId=nobody`, { token: admin })).body.items).toEqual([])
    expect((await t.request('GET', `/api/audit?to=${startedAt}&action=settings.system_changed`, { token: admin })).body.items).toEqual([])
  })

  it.each(['limit=0', 'limit=201', 'limit=ten', 'from=yesterday', 'to=2025-13-01T00:00:00Z'])('rejects %s with 400', async (query) => {
    const res = await t.request('GET', `/api/audit?${query}`, { token: admin })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
  })
})
