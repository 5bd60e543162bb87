import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelAccess } from '../../src/features/models/model-access.port.ts'
import type { Actor } from '../../src/shared/actor.ts'
import { createTestApp, type TestApp } from '../support/test-app.ts'

type Who = 'alice' | 'bob' | 'carol' | 'admin'
const WHO: Who[] = ['alice', 'bob', 'carol', 'admin']

/** Which models each caller sees in GET /api/models and may resolve for use (by display name). */
const EXPECTED: Record<Who, string[]> = {
  alice: ['alice-own', 'sys-all', 'sys-users'],
  bob: ['bob-own', 'sys-all'],
  carol: ['sys-all', 'sys-users'],
  admin: ['sys-all', 'sys-admins', 'sys-users', 'sys-disabled'],
}
const USABLE: Record<Who, string[]> = { ...EXPECTED, admin: ['sys-all', 'sys-admins', 'sys-users'] }

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`model visibility over HTTP on ${kind}`, () => {
    let t: TestApp
    const token = {} as Record<Who, string>
    const actor = {} as Record<Who, Actor>
    const ids = {} as Record<string, string>

    beforeAll(async () => {
      t = await createTestApp({ kind })
      for (const name of ['alice', 'bob', 'carol'] as const) {
        const u = await t.registerUser(name)
        token[name] = u.token
        actor[name] = { userId: u.id, username: name, role: 'USER' }
      }
      token.admin = await t.adminToken()
      const me = await t.request('GET', '/api/auth/me', { token: token.admin })
      actor.admin = { userId: me.body.id, username: 'admin', role: 'ADMIN' }

      const make = async (who: Who, url: string, displayName: string, extra: object = {}) => {
        const res = await t.request('POST', url, { token: token[who], body: { providerKind: 'openai', modelId: 'gpt-4o', displayName, apiKey: `sk-${displayName}-0123456789`, ...extra } })
        if (res.status !== 201) throw new Error(`${displayName}: ${res.status} ${JSON.stringify(res.body)}`)
        ids[displayName] = res.body.id
      }
      await make('alice', '/api/models', 'alice-own')
      await make('bob', '/api/models', 'bob-own')
      await make('admin', '/api/models/system', 'sys-all')
      await make('admin', '/api/models/system', 'sys-admins', { visibility: 'admins' })
      await make('admin', '/api/models/system', 'sys-users', { visibility: 'users', allowedUserIds: [actor.alice.userId, actor.carol.userId] })
      await make('admin', '/api/models/system', 'sys-disabled', { enabled: false })
    })
    afterAll(() => t.close())

    it.each(WHO)('%s sees exactly the models they may use', async (who) => {
      const res = await t.request('GET', '/api/models', { token: token[who] })
      expect(res.body.items.map((m: { displayName: string }) => m.displayName)).toEqual(EXPECTED[who])
      expect(JSON.stringify(res.body)).not.toMatch(/sk-[a-z-]+-0123456789/)
    })

    it.each(WHO)('%s can resolve only the models they may use; the rest is NOT_FOUND', async (who) => {
      const access = t.container.resolve<ModelAccess>(ModelAccess)
      for (const [name, id] of Object.entries(ids)) {
        const resolved = await access.resolveForUse(actor[who], id).then((m) => m.apiKey, (e: { code: string }) => e.code)
        expect(resolved, `${who} -> ${name}`).toBe(USABLE[who].includes(name) ? `sk-${name}-0123456789` : 'NOT_FOUND')
      }
      expect((await access.listUsable(actor[who])).map((m) => m.displayName)).toEqual(USABLE[who])
    })

    it('hides what a user may not manage: 404 when invisible, 403 when visible but a system model', async () => {
      const expectStatus = async (who: Who, method: string, url: string, status: number, body?: unknown) =>
        expect((await t.request(method, url, { token: token[who], body })).status, `${who} ${method} ${url}`).toBe(status)
      await expectStatus('bob', 'POST', `/api/models/${ids['alice-own']}/test`, 404)
      await expectStatus('admin', 'POST', `/api/models/${ids['alice-own']}/api-key`, 404, { apiKey: 'sk-stolen-0123456789' })
      await expectStatus('bob', 'POST', `/api/models/${ids['sys-users']}/api-key`, 404, { apiKey: 'sk-stolen-0123456789' })
      await expectStatus('bob', 'POST', `/api/models/${ids['sys-admins']}/test`, 404)
      await expectStatus('alice', 'POST', `/api/models/${ids['sys-users']}/api-key`, 403, { apiKey: 'sk-stolen-0123456789' })
      await expectStatus('alice', 'POST', `/api/models/${ids['sys-all']}/test`, 403)
      await expectStatus('alice', 'PATCH', `/api/models/system/${ids['sys-all']}`, 403, { displayName: 'x' })
      await expectStatus('alice', 'PATCH', `/api/models/${ids['sys-all']}`, 404, { displayName: 'x' })
      await expectStatus('admin', 'PATCH', `/api/models/system/${ids['alice-own']}`, 404, { displayName: 'x' })
      await expectStatus('admin', 'DELETE', `/api/models/system/${ids['bob-own']}`, 404)
      const row = await t.db.client.modelConfig.findUniqueOrThrow({ where: { id: ids['alice-own']! } })
      expect(row.credentialHint).toBe('6789')
    })

    it('a user taken off the list loses the model at once', async () => {
      const res = await t.request('PATCH', `/api/models/system/${ids['sys-users']}`, { token: token.admin, body: { allowedUserIds: [actor.alice.userId] } })
      expect(res.body.allowedUserIds).toEqual([actor.alice.userId])
      const carol = await t.request('GET', '/api/models', { token: token.carol })
      expect(carol.body.items.map((m: { displayName: string }) => m.displayName)).toEqual(['sys-all'])
      await expect(t.container.resolve<ModelAccess>(ModelAccess).resolveForUse(actor.carol, ids['sys-users']!)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    })
  })
}
