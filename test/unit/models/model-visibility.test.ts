import { describe, expect, it } from 'vitest'
import { canManage, canSee, canUse, type ModelConfig, type Visibility } from '../../../src/features/models/model-config.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { SECRET, alice, bob, fields, modelsKit, root } from './models-kit.ts'

const config = (over: Partial<ModelConfig>): ModelConfig => ({
  id: 'm',
  ownerId: null,
  scope: over.ownerId ? 'personal' : 'system',
  providerKind: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  modelId: 'gpt-4o',
  displayName: 'x',
  alias: null,
  contextWindow: 1000,
  maxOutputTokens: 100,
  defaultParams: {},
  enabled: true,
  visibility: 'all',
  allowedUserIds: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
})
const sys = (visibility: Visibility, enabled = true) => config({ visibility, enabled, allowedUserIds: visibility === 'users' ? [bob.userId] : [] })

// [model, actor] -> [use, see, manage]
const TABLE: Array<[string, ModelConfig, Actor, [boolean, boolean, boolean]]> = [
  ["alice's own", config({ ownerId: alice.userId }), alice, [true, true, true]],
  ["alice's own, disabled", config({ ownerId: alice.userId, enabled: false }), alice, [true, true, true]],
  ["alice's, to bob", config({ ownerId: alice.userId }), bob, [false, false, false]],
  ["alice's, to an admin", config({ ownerId: alice.userId }), root, [false, false, false]],
  ['system/all, to a user', sys('all'), alice, [true, true, false]],
  ['system/all disabled, to a user', sys('all', false), alice, [true, false, false]],
  ['system/all disabled, to an admin', sys('all', false), root, [true, true, true]],
  ['system/admins, to a user', sys('admins'), alice, [false, false, false]],
  ['system/admins, to an admin', sys('admins'), root, [true, true, true]],
  ['system/users [bob], to bob', sys('users'), bob, [true, true, false]],
  ['system/users [bob], to alice', sys('users'), alice, [false, false, false]],
  ['system/users [bob], to an admin', sys('users'), root, [true, true, true]],
]

describe('model visibility', () => {
  it.each(TABLE)('%s: use/see/manage', (_name, model, actor, [use, see, manage]) => {
    expect([canUse(actor, model), canSee(actor, model), canManage(actor, model)]).toEqual([use, see, manage])
  })

  it('lists and resolves only what each caller may use; the rest is NOT_FOUND, never FORBIDDEN', async () => {
    const k = await modelsKit()
    const own = await k.create.execute({ actor: alice, scope: 'personal', fields: fields({ displayName: 'alice-own' }), apiKey: SECRET })
    const bobs = await k.create.execute({ actor: bob, scope: 'personal', fields: fields({ displayName: 'bob-own' }) })
    const all = await k.create.execute({ actor: root, scope: 'system', fields: fields({ displayName: 'sys-all' }), apiKey: `${SECRET}-sys` })
    const admins = await k.create.execute({ actor: root, scope: 'system', fields: fields({ displayName: 'sys-admins', visibility: 'admins' }) })
    const listed = await k.create.execute({
      actor: root,
      scope: 'system',
      fields: fields({ displayName: 'sys-bob', visibility: 'users', allowedUserIds: [bob.userId] }),
    })
    const off = await k.create.execute({ actor: root, scope: 'system', fields: fields({ displayName: 'sys-off', enabled: false }) })

    const names = async (actor: Actor) => (await k.list.execute({ actor })).items.map((m) => `${m.displayName}:${m.scope}`)
    expect(await names(alice)).toEqual(['alice-own:personal', 'sys-all:system'])
    expect(await names(bob)).toEqual(['bob-own:personal', 'sys-all:system', 'sys-bob:system'])
    expect(await names(root)).toEqual(['sys-all:system', 'sys-admins:system', 'sys-bob:system', 'sys-off:system'])

    // Users see system models without the endpoint, key hint or user list; admins see them.
    const sysForAlice = (await k.list.execute({ actor: alice })).items[1]!
    expect(sysForAlice).toMatchObject({ hasApiKey: true })
    for (const hidden of ['baseUrl', 'apiKeyHint', 'visibility', 'allowedUserIds']) expect(sysForAlice).not.toHaveProperty(hidden)
    expect((await k.list.execute({ actor: root })).items.find((m) => m.id === listed.id)).toMatchObject({ allowedUserIds: [bob.userId] })

    expect((await k.access.resolveForUse(alice, own.id)).apiKey).toBe(SECRET)
    expect((await k.access.resolveForUse(bob, all.id)).apiKey).toBe(`${SECRET}-sys`)
    expect((await k.access.resolveForUse(bob, bobs.id)).apiKey).toBe('')
    const resolved = await k.access.resolveForUse(alice, own.id)
    expect(resolved.config).not.toHaveProperty('credential')
    expect(resolved.config).toMatchObject({ id: own.id, scope: 'personal', ownerId: alice.userId })

    const denied: Array<[Actor, string]> = [
      [alice, bobs.id], [alice, admins.id], [alice, listed.id], [alice, off.id], [root, own.id], [root, off.id], [bob, 'missing'],
    ]
    for (const [actor, id] of denied) {
      await expect(k.access.resolveForUse(actor, id), `${actor.username} -> ${id}`).rejects.toMatchObject({ code: 'NOT_FOUND' })
    }
    expect((await k.access.listUsable(alice)).map((m) => m.displayName)).toEqual(['alice-own', 'sys-all'])
    expect((await k.access.listUsable(root)).map((m) => m.displayName)).toEqual(['sys-all', 'sys-admins', 'sys-bob'])
  })

  it('a tampered or copied ciphertext is an error, never garbage or plaintext', async () => {
    const k = await modelsKit()
    const a = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: SECRET })
    const b = await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: `${SECRET}-other` })
    const stolen = k.store.configs.get(a.id)!.credential!
    await k.store.replaceCredential(b.id, stolen)
    await expect(k.access.resolveForUse(alice, b.id)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/bound to another record/) })
    const parts = stolen.ciphertext.split(':')
    parts[4] = (parts[4]![0] === 'A' ? 'B' : 'A') + parts[4]!.slice(1)
    await k.store.replaceCredential(a.id, { ...stolen, ciphertext: parts.join(':') })
    const error = await k.access.resolveForUse(alice, a.id).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INTERNAL' })
    expect(String(error)).not.toContain(SECRET)
  })
})
