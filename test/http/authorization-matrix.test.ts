import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../support/test-app.ts'

/**
 * Every route of the app x every kind of caller -> the status it must get. A route added to the app
 * without a row here fails the first test, so nobody ships an endpoint without deciding who may call it.
 */
type Caller = 'anonymous' | 'owner' | 'other' | 'admin'
const CALLERS: Caller[] = ['anonymous', 'other', 'owner', 'admin'] // the owner-destroying cells run last

interface Cell {
  /** The owner: a user whose id fills `{id}`; the resource under test belongs to them. */
  owner: { id: string; username: string; password: string; refreshToken: string }
  caller: Caller
  callerCredentials?: { username: string; password: string }
  fresh: () => string
}
interface Row {
  expect: Record<Caller, number>
  body?: (cell: Cell) => unknown
  /** A resource of the owner's to put in the path instead of the owner's user id. */
  target?: (t: TestApp, ownerToken: string) => Promise<string>
}

const ownersSession = async (t: TestApp, token: string) => (await t.request('POST', '/api/sessions', { token, body: {} })).body.id as string
const ownersKey = async (t: TestApp, token: string) => (await t.request('POST', '/api/keys', { token, body: { name: 'matrix' } })).body.key.id as string
const privateTo = (owner: number): Record<Caller, number> => ({ anonymous: 401, owner, other: 404, admin: 404 })

const all = (status: number): Record<Caller, number> => ({ anonymous: status, owner: status, other: status, admin: status })
const signedIn = (status: number): Record<Caller, number> => ({ anonymous: 401, owner: status, other: status, admin: status })
const gemini: Record<Caller, number> = { anonymous: 403, owner: 400, other: 400, admin: 400 }
const adminOnly = (status: number): Record<Caller, number> => ({ anonymous: 401, owner: 403, other: 403, admin: status })

const accountBody = () => ({ name: 'acct', providerKind: 'openai', authType: 'api_key', apiKey: 'sk-matrix-account-0123456789' })
const modelBody = () => ({ providerKind: 'openai', displayName: 'm', modelId: 'gpt-4o' })

const MATRIX: Record<string, Row> = {
  'GET /health': { expect: all(200) },
  'GET /ready': { expect: all(200) },
  'GET /api/info': { expect: all(200) },
  'GET /openapi.json': { expect: all(200) },
  'POST /api/auth/register': { expect: all(201), body: (c) => ({ username: c.fresh(), password: 'a fine password' }) },
  'POST /api/auth/login': { expect: all(200), body: (c) => ({ username: c.owner.username, password: c.owner.password }) },
  'POST /api/auth/refresh': { expect: all(200), body: (c) => ({ refreshToken: c.owner.refreshToken }) },
  'POST /api/auth/logout': { expect: signedIn(204) },
  'GET /api/auth/me': { expect: signedIn(200) },
  'POST /api/auth/password': {
    expect: signedIn(200),
    body: (c) => ({ currentPassword: c.callerCredentials?.password ?? 'x', newPassword: 'a brand new password' }),
  },
  'GET /api/users': { expect: adminOnly(200) },
  'POST /api/users': { expect: adminOnly(201), body: (cell) => ({ username: cell.fresh(), password: 'created user password' }) },
  'GET /api/users/{id}': { expect: { anonymous: 401, owner: 200, other: 404, admin: 200 } },
  'PATCH /api/users/{id}': { expect: adminOnly(200), body: () => ({ role: 'USER' }) },
  'POST /api/users/{id}/password': { expect: adminOnly(200), body: () => ({ newPassword: 'reset password 1' }) },
  'DELETE /api/users/{id}': { expect: adminOnly(204) },
  'GET /api/settings': { expect: signedIn(200) },
  'PATCH /api/settings/system': { expect: adminOnly(200), body: () => ({ maxMessageChars: 50000 }) },
  'PATCH /api/settings/me': { expect: signedIn(200), body: () => ({ defaultSystemPrompt: 'Be brief.' }) },
  'GET /api/audit': { expect: adminOnly(200) },
  // `{id}` is the owner's user id here, so model routes read as not found; who may manage which
  // model is covered in models-visibility.test.ts.
  'GET /api/models': { expect: signedIn(200) },
  'POST /api/models': { expect: signedIn(201), body: modelBody },
  'PATCH /api/models/{id}': { expect: signedIn(404), body: () => ({ displayName: 'x' }) },
  'DELETE /api/models/{id}': { expect: signedIn(404) },
  'POST /api/models/{id}/api-key': { expect: signedIn(404), body: () => ({ apiKey: 'sk-matrix-0123456789' }) },
  'POST /api/models/{id}/test': { expect: signedIn(404) },
  'POST /api/models/system': { expect: adminOnly(201), body: modelBody },
  'PATCH /api/models/system/{id}': { expect: adminOnly(404), body: () => ({ displayName: 'x' }) },
  'DELETE /api/models/system/{id}': { expect: adminOnly(404) },
  'GET /api/providers': { expect: signedIn(200) },
  'GET /api/models/system/{id}/credentials': { expect: adminOnly(404) },
  'POST /api/models/system/{id}/credentials': { expect: adminOnly(404), body: () => ({ label: 'x', apiKey: 'sk-matrix-0123456789' }) },
  'PATCH /api/models/system/{id}/credentials/{credentialId}': { expect: adminOnly(404), body: () => ({ weight: 2 }) },
  'DELETE /api/models/system/{id}/credentials/{credentialId}': { expect: adminOnly(404) },
  'POST /api/admin/keys/rotate': { expect: adminOnly(200) },
  // Upstream accounts: admin only; `{id}` is the owner's user id, so an admin reads 404.
  'GET /api/admin/accounts': { expect: adminOnly(200) },
  'POST /api/admin/accounts': { expect: adminOnly(201), body: accountBody },
  'POST /api/admin/accounts/import': { expect: adminOnly(201), body: () => ({ accounts: [accountBody()] }) },
  'GET /api/admin/accounts/{id}': { expect: adminOnly(404) },
  'PATCH /api/admin/accounts/{id}': { expect: adminOnly(404), body: () => ({ name: 'x' }) },
  'DELETE /api/admin/accounts/{id}': { expect: adminOnly(404) },
  'POST /api/admin/accounts/{id}/reset': { expect: adminOnly(404) },
  'POST /api/admin/accounts/{id}/test': { expect: adminOnly(404) },
  'POST /api/admin/accounts/oauth/authorize': { expect: adminOnly(200), body: () => ({ providerKind: 'anthropic' }) },
  'POST /api/admin/accounts/oauth/exchange': { expect: adminOnly(404), body: () => ({ flowId: 'no-such-flow', code: 'c' }) },
  'PUT /api/models/system/{id}/accounts': { expect: adminOnly(404), body: () => ({ accountIds: [] }) },
  // Chats are private: not even an admin can read someone else's (404, never 403).
  'GET /api/sessions': { expect: signedIn(200) },
  'POST /api/sessions': { expect: signedIn(201), body: () => ({}) },
  'GET /api/sessions/{id}': { expect: privateTo(200), target: ownersSession },
  'PATCH /api/sessions/{id}': { expect: privateTo(200), body: () => ({ title: 'x' }), target: ownersSession },
  'DELETE /api/sessions/{id}': { expect: privateTo(204), target: ownersSession },
  'GET /api/sessions/{id}/messages': { expect: privateTo(200), target: ownersSession },
  'POST /api/keys': { expect: signedIn(201), body: () => ({ name: 'matrix' }) },
  'GET /api/keys': { expect: signedIn(200) },
  'DELETE /api/keys/{id}': { expect: { anonymous: 401, other: 404, owner: 204, admin: 204 }, target: ownersKey },
  'POST /api/keys/{id}/rotate': { expect: { anonymous: 401, other: 404, owner: 200, admin: 404 }, target: ownersKey },
  'GET /api/admin/keys': { expect: adminOnly(200) },
  'GET /api/usage': { expect: signedIn(200) },
  'GET /api/admin/usage': { expect: adminOnly(200) },
  'GET /api/admin/users/{id}/limits': { expect: adminOnly(200) },
  'PUT /api/admin/users/{id}/limits': { expect: adminOnly(200), body: () => ({ requestsPerMinute: 100 }) },
  // The relay takes platform API keys, not user sessions: a JWT is no key there (401 in the client's dialect).
  'GET /v1/models': { expect: all(401) },
  'GET /v1/models/{model}{.+}': { expect: all(401) },
  'POST /v1/chat/completions': { expect: all(401), body: () => ({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }) },
  'POST /v1/messages': { expect: all(401), body: () => ({ model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) },
  'POST /v1/messages/count_tokens': { expect: all(401), body: () => ({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }) },
  'POST /v1/embeddings': { expect: all(401), body: () => ({ model: 'x', input: 'hi' }) },
  'POST /v1/responses': { expect: all(401), body: () => ({ model: 'x', input: 'hi' }) },
  // Gemini's own refusals: no key 403 PERMISSION_DENIED, a JWT (no platform key) 400 API_KEY_INVALID.
  'GET /v1beta/models': { expect: gemini },
  'GET /v1beta/models/{model}{.+}': { expect: gemini },
  'POST /v1beta/models/{target}{.+}': { expect: gemini, body: () => ({ contents: [{ parts: [{ text: 'hi' }] }] }) },
  // `{messageId}` is a user id here: message ownership is covered in chat.test.ts.
  'POST /api/chat/stream': { expect: signedIn(404), body: (c) => ({ sessionId: c.owner.id, content: 'hi' }) },
  'POST /api/chat': { expect: signedIn(404), body: (c) => ({ sessionId: c.owner.id, content: 'hi' }) },
  'POST /api/chat/{messageId}/stop': { expect: signedIn(404) },
  'GET /api/chat/{messageId}/stream': { expect: signedIn(404) },
  'POST /api/chat/{messageId}/regenerate': { expect: signedIn(404), body: () => ({}) },
  'POST /api/chat/{messageId}/edit': { expect: signedIn(404), body: () => ({ content: 'x' }) },
}

describe('authorization matrix', () => {
  let t: TestApp
  let n = 0
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t.close())

  const routesOfApp = () =>
    [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`))].sort()

  it('has a row for every route of the app, and no stale rows', () => {
    expect(routesOfApp()).toEqual(Object.keys(MATRIX).sort())
  })

  for (const [route, row] of Object.entries(MATRIX)) {
    it(`${route}: ${CALLERS.map((c) => `${c} ${row.expect[c]}`).join(', ')}`, async () => {
      const [method, template] = route.split(' ') as [string, string]
      const ownerName = `owner${++n}`
      const ownerPassword = `${ownerName} password`
      const owner = { ...(await t.registerUser(ownerName, ownerPassword)), username: ownerName, password: ownerPassword }
      const otherName = `other${n}`
      await t.registerUser(otherName, `${otherName} password`)
      const credentials: Record<Caller, { username: string; password: string } | undefined> = {
        anonymous: undefined,
        owner: { username: ownerName, password: ownerPassword },
        other: { username: otherName, password: `${otherName} password` },
        admin: { username: 'admin', password: 'admin password 1' },
      }
      const targetId = row.target ? await row.target(t, owner.token) : owner.id
      const seen: Record<string, number> = {}
      for (const caller of CALLERS) {
        const creds = credentials[caller]
        const token = creds ? await t.login(creds.username, creds.password) : undefined
        // Each cell gets a live refresh token of the owner's, since the previous cell may have used it.
        const refresh = await t.request('POST', '/api/auth/login', { body: { username: ownerName, password: ownerPassword } })
        const cell: Cell = { owner: { ...owner, refreshToken: refresh.body?.refreshToken ?? '' }, caller, callerCredentials: creds, fresh: () => `fresh${++n}` }
        const res = await t.request(method, template.replace(/\{(id|messageId|credentialId)\}/g, targetId).replace('{model}{.+}', 'gpt-4o'), { token, body: row.body?.(cell) })
        seen[caller] = res.status
        if (creds?.username === 'admin' && route === 'POST /api/auth/password') {
          await t.request('POST', '/api/auth/password', { token: res.body.accessToken, body: { currentPassword: 'a brand new password', newPassword: 'admin password 1' } })
        }
      }
      expect(seen).toEqual(row.expect)
    })
  }
})
