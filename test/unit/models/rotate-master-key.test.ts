import { describe, expect, it } from 'vitest'
import { accountProxyAad, accountSecretAad } from '../../../src/features/accounts/upstream-account.ts'
import { modelConfigAad, providerCredentialAad } from '../../../src/features/models/model-config.ts'
import type { RotationProgress } from '../../../src/features/models/rotate-master-key.use-case.ts'
import type { SealedSecretStore } from '../../../src/features/models/sealed-secret.store.port.ts'
import { RotateMasterKey } from '../../../src/features/models/rotate-master-key.use-case.ts'
import { AesGcmSecretBox, keyIdOf } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import { NEW_KEY, OLD_KEY, SECRET, alice, fields, modelsKit, root } from './models-kit.ts'

const OLD_ID = keyIdOf(OLD_KEY)
const NEW_ID = keyIdOf(NEW_KEY)
const ROTATED = new AesGcmSecretBox(NEW_KEY, [OLD_KEY])
const NEW_ONLY = new AesGcmSecretBox(NEW_KEY)
const OLD_ONLY = new AesGcmSecretBox(OLD_KEY)

/** n personal models and one pooled credential, all sealed under the OLD key. */
async function seeded(n: number) {
  const k = await modelsKit()
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    ids.push((await k.create.execute({ actor: alice, scope: 'personal', fields: fields(), apiKey: `${SECRET}-${i}` })).id)
  }
  const pool = { id: 'pc-0001', modelConfigId: ids[0]!, ...k.box.seal(`${SECRET}-pool`, providerCredentialAad('pc-0001')), hint: 'pool' }
  k.store.addPoolCredential(pool)
  return { k, ids }
}

function expectAllReadableWith(box: AesGcmSecretBox, k: Awaited<ReturnType<typeof seeded>>['k'], ids: string[]) {
  ids.forEach((id, i) => expect(box.open(k.store.configs.get(id)!.credential!.ciphertext, modelConfigAad(id))).toBe(`${SECRET}-${i}`))
  expect(box.open(k.store.poolCredentials.get('pc-0001')!.ciphertext, providerCredentialAad('pc-0001'))).toBe(`${SECRET}-pool`)
}

describe('RotateMasterKey', () => {
  it('re-encrypts every secret under the current key, in batches, reporting progress and what can be removed', async () => {
    const { k, ids } = await seeded(5)
    const progress: RotationProgress[] = []
    const result = await k.rotateMasterKey(ROTATED).execute({ actor: root, batchSize: 2, onProgress: (p) => progress.push(p) })
    expect(result).toEqual({
      currentKeyId: NEW_ID,
      dryRun: false,
      total: 6,
      reencrypted: 6,
      skipped: 0,
      failed: 0,
      failures: [],
      remainingByKeyId: {},
      oldKeysStillReferenced: [],
      canRemove: [OLD_ID],
      unknownKeyIds: [],
    })
    expect(progress.map((p) => p.reencrypted)).toEqual([0, 2, 4, 6])
    expectAllReadableWith(NEW_ONLY, k, ids)
    expect([...k.store.configs.values()].every((c) => c.credential!.keyId === NEW_ID)).toBe(true)
    expect(k.store.configs.get(ids[0]!)!.credential!.hint).toBe('YZ-0') // the hint is kept

    const entry = k.audit.records.find((r) => r.action === 'keys.master_key_rotated')!
    expect(entry).toMatchObject({ actorId: root.userId, targetId: NEW_ID, metadata: { reencrypted: 6, skipped: 0, failed: 0 } })
    expect(JSON.stringify(k.audit.records)).not.toContain(SECRET)
  })

  it('is idempotent, and a dry run changes nothing', async () => {
    const { k } = await seeded(3)
    const dry = await k.rotateMasterKey(ROTATED).execute({ actor: null, dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, total: 4, reencrypted: 0, remainingByKeyId: { [OLD_ID]: 4 }, oldKeysStillReferenced: [OLD_ID], canRemove: [] })
    expect(k.audit.records.filter((r) => r.action === 'keys.master_key_rotated')).toHaveLength(0)
    await k.rotateMasterKey(ROTATED).execute({ actor: null })
    const again = await k.rotateMasterKey(ROTATED).execute({ actor: null })
    expect(again).toMatchObject({ total: 0, reencrypted: 0, canRemove: [OLD_ID] })
  })

  it('is resumable: a run that dies half-way is finished by the next one', async () => {
    const { k, ids } = await seeded(5)
    let batches = 0
    const dying: SealedSecretStore = {
      list: (q) => k.store.list(q),
      countByKeyId: () => k.store.countByKeyId(),
      resealMany: async (items) => {
        if (++batches === 2) throw new Error('connection lost')
        return k.store.resealMany(items)
      },
    }
    await expect(new RotateMasterKey(dying, ROTATED, k.audit).execute({ actor: null, batchSize: 2 })).rejects.toThrow('connection lost')
    expect(await k.store.countByKeyId()).toEqual({ [NEW_ID]: 2, [OLD_ID]: 4 })
    // Meanwhile everything still opens: the old key is still in the keyring.
    expectAllReadableWith(ROTATED, k, ids)
    const resumed = await k.rotateMasterKey(ROTATED).execute({ actor: null, batchSize: 2 })
    expect(resumed).toMatchObject({ total: 4, reencrypted: 4, canRemove: [OLD_ID] })
    expectAllReadableWith(NEW_ONLY, k, ids)
  })

  it('never overwrites a key rotated concurrently (compare-and-set), and reports it as skipped', async () => {
    const { k, ids } = await seeded(3)
    const rotateApiKeyMeanwhile = new AesGcmSecretBox(NEW_KEY, [OLD_KEY])
    k.store.beforeReseal = (item) => {
      if (item.ref.id !== ids[1]) return
      k.store.beforeReseal = undefined
      const sealed = rotateApiKeyMeanwhile.seal('sk-rotated-meanwhile-0000', modelConfigAad(ids[1]!))
      void k.store.replaceCredential(ids[1]!, { ...sealed, hint: '0000' })
    }
    const result = await k.rotateMasterKey(ROTATED).execute({ actor: null })
    expect(result).toMatchObject({ total: 4, reencrypted: 3, skipped: 1, remainingByKeyId: {}, canRemove: [OLD_ID] })
    expect(NEW_ONLY.open(k.store.configs.get(ids[1]!)!.credential!.ciphertext, modelConfigAad(ids[1]!))).toBe('sk-rotated-meanwhile-0000')
  })

  it('reports secrets it cannot open (key missing from the keyring) without looping or blocking the rest', async () => {
    const { k } = await seeded(2)
    const foreign = new AesGcmSecretBox(Buffer.alloc(32, 9))
    const lost = await k.create.execute({ actor: alice, scope: 'personal', fields: fields() })
    await k.store.replaceCredential(lost.id, { ...foreign.seal(SECRET, modelConfigAad(lost.id)), hint: '' })
    const result = await k.rotateMasterKey(ROTATED).execute({ actor: null, batchSize: 1 })
    const lostKeyId = keyIdOf(Buffer.alloc(32, 9))
    expect(result).toMatchObject({
      total: 4,
      reencrypted: 3,
      failed: 1,
      failures: [{ kind: 'model-config', id: lost.id, reason: `stored credential could not be decrypted (key id ${lostKeyId} not in keyring)` }],
      remainingByKeyId: { [lostKeyId]: 1 },
      oldKeysStillReferenced: [lostKeyId],
      canRemove: [OLD_ID],
      unknownKeyIds: [lostKeyId],
    })
    expect(JSON.stringify(result)).not.toContain(SECRET)
  })

  it("re-seals upstream accounts' secrets and proxy URLs, which then open under the new key only", async () => {
    const { k, ids } = await seeded(1)
    const tokenSet = JSON.stringify({ accessToken: 'sk-ant-oat01-access-0123456789', refreshToken: 'sk-ant-ort01-refresh-0123456789' })
    const proxyUrl = 'socks5://bob:hunter2@10.0.0.1:1080'
    k.store.addAccount({ id: 'ua-0001', secret: k.box.seal(tokenSet, accountSecretAad('ua-0001')), proxy: k.box.seal(proxyUrl, accountProxyAad('ua-0001')) })
    k.store.addAccount({ id: 'ua-0002', secret: k.box.seal('{"apiKey":"sk-direct-0123456789"}', accountSecretAad('ua-0002')), proxy: null })

    const result = await k.rotateMasterKey(ROTATED).execute({ actor: root, batchSize: 2 })
    expect(result).toMatchObject({ total: 5, reencrypted: 5, skipped: 0, failed: 0, remainingByKeyId: {}, canRemove: [OLD_ID] })
    expectAllReadableWith(NEW_ONLY, k, ids)

    const one = k.store.accounts.get('ua-0001')!
    expect(one.secret.keyId).toBe(NEW_ID)
    expect(one.proxy!.keyId).toBe(NEW_ID)
    expect(NEW_ONLY.open(one.secret.ciphertext, accountSecretAad('ua-0001'))).toBe(tokenSet)
    expect(NEW_ONLY.open(one.proxy!.ciphertext, accountProxyAad('ua-0001'))).toBe(proxyUrl)
    expect(NEW_ONLY.open(k.store.accounts.get('ua-0002')!.secret.ciphertext, accountSecretAad('ua-0002'))).toBe('{"apiKey":"sk-direct-0123456789"}')
    expect(k.store.accounts.get('ua-0002')!.proxy).toBeNull()
    // Not under the old key any more, and still bound to its own record and kind.
    expect(() => OLD_ONLY.open(one.secret.ciphertext, accountSecretAad('ua-0001'))).toThrow()
    expect(() => OLD_ONLY.open(one.proxy!.ciphertext, accountProxyAad('ua-0001'))).toThrow()
    expect(() => NEW_ONLY.open(one.proxy!.ciphertext, accountSecretAad('ua-0001'))).toThrow()
    expect(() => NEW_ONLY.open(one.secret.ciphertext, accountSecretAad('ua-0002'))).toThrow()
    expect(JSON.stringify(k.audit.records)).not.toContain('hunter2')
    expect(JSON.stringify(result)).not.toContain('hunter2')
  })

  it('keeps a token set refreshed during the rotation (compare-and-set), and reports it as skipped', async () => {
    const { k } = await seeded(1)
    k.store.addAccount({ id: 'ua-0001', secret: k.box.seal('{"accessToken":"old-access-0123456789"}', accountSecretAad('ua-0001')), proxy: null })
    k.store.beforeReseal = (item) => {
      if (item.ref.kind !== 'upstream-account') return
      k.store.beforeReseal = undefined
      const refreshed = ROTATED.seal('{"accessToken":"refreshed-access-0123456789"}', accountSecretAad('ua-0001'))
      k.store.addAccount({ ...k.store.accounts.get('ua-0001')!, secret: refreshed })
    }
    const result = await k.rotateMasterKey(ROTATED).execute({ actor: null })
    expect(result).toMatchObject({ total: 3, reencrypted: 2, skipped: 1, remainingByKeyId: {}, canRemove: [OLD_ID] })
    expect(NEW_ONLY.open(k.store.accounts.get('ua-0001')!.secret.ciphertext, accountSecretAad('ua-0001'))).toBe('{"accessToken":"refreshed-access-0123456789"}')
  })

  it('is for admins (or the operator command line)', async () => {
    const { k } = await seeded(1)
    await expect(k.rotateMasterKey(ROTATED).execute({ actor: alice })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    expect(await k.store.countByKeyId()).toEqual({ [OLD_ID]: 2 })
  })
})
