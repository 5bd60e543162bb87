import { createHmac } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { HmacKeySecrets } from '../../../src/features/keys/adapters/hmac-key-secrets.ts'
import { AuthenticatePlatformKey } from '../../../src/features/keys/authenticate-platform-key.use-case.ts'
import { CreatePlatformKey } from '../../../src/features/keys/create-platform-key.use-case.ts'
import { ListPlatformKeys } from '../../../src/features/keys/list-platform-keys.use-case.ts'
import { RevokePlatformKey } from '../../../src/features/keys/revoke-platform-key.use-case.ts'
import { RotatePlatformKey } from '../../../src/features/keys/rotate-platform-key.use-case.ts'
import { InMemoryPlatformKeyRepository } from '../../../src/features/keys/testing/in-memory-platform-key.repository.ts'
import { StaticModelCatalog } from '../../../src/features/models/testing/static-model-catalog.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import { createLogger } from '../../../src/shared/logger.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

const PEPPER = 'unit-test-pepper-that-is-long-enough-012345'
const alice: Actor = { userId: 'alice', username: 'alice', role: 'USER' }
const bob: Actor = { userId: 'bob', username: 'bob', role: 'USER' }
const admin: Actor = { userId: 'root', username: 'root', role: 'ADMIN' }

function setup() {
  const clock = new ManualClock('2026-02-01T12:00:00.000Z')
  const repo = new InMemoryPlatformKeyRepository(() => clock.now())
  for (const a of [alice, bob, admin]) repo.addOwner({ id: a.userId, username: a.username, role: a.role })
  const audit = new InMemoryAuditLog()
  const secrets = new HmacKeySecrets(PEPPER)
  const log = createLogger('silent')
  // System models: "gpt" by alias, "m1" by id, one hidden from users; personal: alice's and bob's.
  const models = new StaticModelCatalog()
  models.add({ id: 'sys-gpt', alias: 'gpt' })
  models.add({ id: 'm1' })
  models.add({ id: 'sys-hidden', visibility: 'admins' })
  models.add({ id: 'alice-own', alias: 'mine', ownerId: alice.userId })
  models.add({ id: 'bob-own', ownerId: bob.userId })
  return {
    clock,
    repo,
    audit,
    create: new CreatePlatformKey(repo, secrets, audit, new SequentialIds('key'), clock, models),
    list: new ListPlatformKeys(repo, clock),
    revoke: new RevokePlatformKey(repo, audit, clock),
    rotate: new RotatePlatformKey(repo, secrets, audit, clock),
    auth: new AuthenticatePlatformKey(repo, secrets, clock, log),
  }
}
type Setup = ReturnType<typeof setup>

describe('platform API keys (use cases with fakes)', () => {
  let s: Setup
  beforeEach(() => {
    s = setup()
  })

  it('issues sk-<8>_<43+> once, stores only the HMAC, and audits without the secret', async () => {
    const issued = await s.create.execute({ actor: alice, name: ' laptop ', allowedModels: ['gpt', 'gpt'], limits: { requestsPerMinute: 3 } })
    expect(issued.secret).toMatch(/^sk-[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/)
    expect(issued.secret.slice(3, 11)).toBe(issued.key.prefix)
    expect(issued.key).toMatchObject({ name: 'laptop', ownerId: 'alice', status: 'active', allowedModels: ['gpt'], limits: { requestsPerMinute: 3 } })
    expect(JSON.stringify(issued.key)).not.toContain(issued.secret.slice(12))
    const expectedHash = createHmac('sha256', PEPPER).update(issued.secret).digest('hex')
    expect((await s.repo.findBySecretHash(expectedHash))?.key.id).toBe(issued.key.id)
    const [entry] = s.audit.records
    expect(entry).toMatchObject({ action: 'api_key.created', actorId: 'alice', targetId: issued.key.id })
    expect(JSON.stringify(entry)).not.toContain(issued.secret.slice(12))
  })

  it('makes a different secret and prefix every time', async () => {
    const secrets = await Promise.all([1, 2, 3].map(() => s.create.execute({ actor: alice, name: 'k' })))
    expect(new Set(secrets.map((i) => i.secret)).size).toBe(3)
  })

  it('refuses an expiry in the past', async () => {
    await expect(s.create.execute({ actor: alice, name: 'k', expiresAt: new Date('2026-01-01T00:00:00Z') })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('restricts a key only to models its owner may use, by id or alias', async () => {
    const ok = await s.create.execute({ actor: alice, name: 'k', allowedModels: ['gpt', 'm1', 'alice-own', 'mine'] })
    expect(ok.key.allowedModels).toEqual(['gpt', 'm1', 'alice-own', 'mine'])
    await expect(s.create.execute({ actor: alice, name: 'k', allowedModels: ['gpt', 'bob-own', 'sys-hidden', 'nope'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { location: 'json', path: 'allowedModels.1' },
        { location: 'json', path: 'allowedModels.2' },
        { location: 'json', path: 'allowedModels.3' },
      ],
    })
    // An admin may name a system model hidden from users; bob may name his own model, not alice's.
    await expect(s.create.execute({ actor: admin, name: 'k', allowedModels: ['sys-hidden'] })).resolves.toBeTruthy()
    await expect(s.create.execute({ actor: bob, name: 'k', allowedModels: ['bob-own'] })).resolves.toBeTruthy()
    await expect(s.create.execute({ actor: bob, name: 'k', allowedModels: ['mine'] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(s.audit.records.filter((e) => e.action === 'api_key.created')).toHaveLength(3)
  })

  it('authenticates a valid key as its owner, with the key id, models and limits', async () => {
    const { secret, key } = await s.create.execute({ actor: alice, name: 'k', allowedModels: ['m1'], limits: { tokensPerDay: 10 } })
    expect(await s.auth.authenticate(secret)).toEqual({
      actor: { userId: 'alice', username: 'alice', role: 'USER', apiKeyId: key.id },
      keyId: key.id,
      allowedModels: ['m1'],
      limits: { tokensPerDay: 10 },
    })
  })

  it.each([
    ['not our format', 'sk-test-upstream-0123456789abcdef', 'Invalid API key'],
    ['an unknown secret', `sk-abcdefgh_${'A'.repeat(43)}`, 'Invalid API key'],
    ['an empty string', '', 'Invalid API key'],
  ])('refuses %s with 401', async (_what, secret, message) => {
    await expect(s.auth.authenticate(secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message })
  })

  it('refuses revoked, expired and disabled-owner keys at once', async () => {
    const revoked = await s.create.execute({ actor: alice, name: 'r' })
    await s.revoke.execute({ actor: alice, keyId: revoked.key.id })
    await expect(s.auth.authenticate(revoked.secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API key has been revoked' })

    const expiring = await s.create.execute({ actor: alice, name: 'e', expiresAt: new Date('2026-02-01T13:00:00Z') })
    await s.auth.authenticate(expiring.secret)
    s.clock.advance(3_600_000)
    await expect(s.auth.authenticate(expiring.secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API key has expired' })

    const bobs = await s.create.execute({ actor: bob, name: 'b' })
    s.repo.owners.get('bob')!.disabled = true
    await expect(s.auth.authenticate(bobs.secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: "This API key's owner is disabled" })
  })

  it('writes lastUsedAt at most once a minute', async () => {
    const { secret, key } = await s.create.execute({ actor: alice, name: 'k' })
    const lastUsed = async () => (await s.repo.findById(key.id))!.lastUsedAt?.toISOString()
    await s.auth.authenticate(secret)
    expect(await lastUsed()).toBe('2026-02-01T12:00:00.000Z')
    s.clock.advance(59_000)
    await s.auth.authenticate(secret)
    expect(await lastUsed()).toBe('2026-02-01T12:00:00.000Z')
    s.clock.advance(1_000)
    await s.auth.authenticate(secret)
    expect(await lastUsed()).toBe('2026-02-01T12:01:00.000Z')
  })

  it('rotates with a grace period: the old secret works until it ends, the new one from now on', async () => {
    const first = await s.create.execute({ actor: alice, name: 'k' })
    const second = await s.rotate.execute({ actor: alice, keyId: first.key.id, graceSeconds: 300 })
    expect(second.secret).not.toBe(first.secret)
    expect(second.key).toMatchObject({ id: first.key.id, graceExpiresAt: '2026-02-01T12:05:00.000Z' })
    await s.auth.authenticate(first.secret)
    await s.auth.authenticate(second.secret)
    s.clock.advance(300_000)
    await expect(s.auth.authenticate(first.secret)).rejects.toMatchObject({ message: 'This API key was rotated; use the new secret' })
    await s.auth.authenticate(second.secret)
    expect(s.audit.records.at(-1)).toMatchObject({ action: 'api_key.rotated', metadata: { graceSeconds: 300, prefix: second.key.prefix } })
  })

  it('rotates without grace by default, and a second rotation ends the earlier grace secret', async () => {
    const first = await s.create.execute({ actor: alice, name: 'k' })
    const second = await s.rotate.execute({ actor: alice, keyId: first.key.id, graceSeconds: 3600 })
    const third = await s.rotate.execute({ actor: alice, keyId: first.key.id })
    await expect(s.auth.authenticate(first.secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await expect(s.auth.authenticate(second.secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    await s.auth.authenticate(third.secret)
  })

  it('lets only the owner rotate, and never a revoked key', async () => {
    const { key } = await s.create.execute({ actor: alice, name: 'k' })
    await expect(s.rotate.execute({ actor: bob, keyId: key.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(s.rotate.execute({ actor: admin, keyId: key.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await s.revoke.execute({ actor: alice, keyId: key.id })
    await expect(s.rotate.execute({ actor: alice, keyId: key.id })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('lets the owner or an admin revoke (others see 404), audits once', async () => {
    const { key } = await s.create.execute({ actor: alice, name: 'k' })
    await expect(s.revoke.execute({ actor: bob, keyId: key.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await s.revoke.execute({ actor: admin, keyId: key.id })
    await s.revoke.execute({ actor: alice, keyId: key.id })
    const revocations = s.audit.records.filter((r) => r.action === 'api_key.revoked')
    expect(revocations).toEqual([expect.objectContaining({ actorId: 'root', targetId: key.id, metadata: expect.objectContaining({ ownerId: 'alice' }) })])
  })

  it("lists a user's own keys; everyone's only for admins", async () => {
    await s.create.execute({ actor: alice, name: 'a' })
    await s.create.execute({ actor: bob, name: 'b' })
    const mine = await s.list.execute({ actor: alice, scope: 'mine', page: 1, pageSize: 10 })
    expect(mine.items.map((k) => k.name)).toEqual(['a'])
    await expect(s.list.execute({ actor: alice, scope: 'all', page: 1, pageSize: 10 })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect((await s.list.execute({ actor: admin, scope: 'all', page: 1, pageSize: 10 })).total).toBe(2)
    expect((await s.list.execute({ actor: admin, scope: 'all', ownerId: 'bob', page: 1, pageSize: 10 })).items.map((k) => k.name)).toEqual(['b'])
  })
})
