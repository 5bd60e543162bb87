import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGatewayTestApp, type GatewayTestApp } from '../unit/keys/gateway-test-app.ts'

/**
 * Who may call the gateway routes (keys, limits, usage): the rows handed to the app-wide
 * authorization matrix, checked here the same way (anonymous, other, owner, admin in that order).
 */
type Caller = 'anonymous' | 'other' | 'owner' | 'admin'
const CALLERS: Caller[] = ['anonymous', 'other', 'owner', 'admin']
const signedIn = (s: number) => ({ anonymous: 401, other: s, owner: s, admin: s })
const adminOnly = (s: number) => ({ anonymous: 401, other: 403, owner: 403, admin: s })

interface Row {
  expect: Record<Caller, number>
  body?: unknown
  /** What fills `{id}`: the owner's user id by default, or one of the owner's keys. */
  target?: 'key'
}
const ROWS: Record<string, Row> = {
  'POST /api/keys': { expect: signedIn(201), body: { name: 'matrix' } },
  'GET /api/keys': { expect: signedIn(200) },
  'DELETE /api/keys/{id}': { expect: { anonymous: 401, other: 404, owner: 204, admin: 204 }, target: 'key' },
  'POST /api/keys/{id}/rotate': { expect: { anonymous: 401, other: 404, owner: 200, admin: 404 }, target: 'key' },
  'GET /api/admin/keys': { expect: adminOnly(200) },
  'GET /api/usage': { expect: signedIn(200) },
  'GET /api/admin/usage': { expect: adminOnly(200) },
  'GET /api/admin/users/{id}/limits': { expect: adminOnly(200) },
  'PUT /api/admin/users/{id}/limits': { expect: adminOnly(200), body: { requestsPerMinute: 100 } },
}

describe('gateway routes: who may call them', () => {
  let t: GatewayTestApp
  let n = 0
  beforeAll(async () => {
    t = await createGatewayTestApp()
  })
  afterAll(() => t.close())

  it('covers every gateway route of the app', () => {
    const routes = t.app.routes
      .filter((r) => r.method !== 'ALL' && /^\/api\/(keys|usage|admin\/keys$|admin\/usage|admin\/users\/:id\/limits)/.test(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    expect([...new Set(routes)].sort()).toEqual(Object.keys(ROWS).sort())
  })

  for (const [route, row] of Object.entries(ROWS)) {
    it(`${route}: ${CALLERS.map((c) => `${c} ${row.expect[c]}`).join(', ')}`, async () => {
      const [method, template] = route.split(' ') as [string, string]
      const owner = await t.registerUser(`owner${++n}`)
      const other = await t.registerUser(`other${n}`)
      const tokens: Record<Caller, string | undefined> = { anonymous: undefined, other: other.token, owner: owner.token, admin: await t.adminToken() }
      const target = row.target === 'key' ? (await t.request('POST', '/api/keys', { token: owner.token, body: { name: 'k' } })).body.key.id : owner.id
      const seen: Record<string, number> = {}
      for (const caller of CALLERS) {
        seen[caller] = (await t.request(method, template.replace('{id}', target), { token: tokens[caller], body: row.body })).status
      }
      expect(seen).toEqual(row.expect)
    })
  }
})
