import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AesGcmSecretBox, keyIdOf } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import { parseSealed, SecretUnreadable } from '../../../src/shared/crypto/secret-box.port.ts'

const OLD = Buffer.alloc(32, 1)
const NEW = Buffer.alloc(32, 2)
const SECRET = 'sk-live-0123456789abcdefghijklmnop'
const AAD = 'model-config:m-1'

/** Flips one base64url character of part `index` (1 key id, 2 iv, 3 tag, 4 body). */
function tamper(ciphertext: string, index: number): string {
  const parts = ciphertext.split(':')
  const part = parts[index]!
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1)
  return parts.join(':')
}

function expectUnreadable(run: () => unknown, reason: RegExp) {
  let caught: unknown
  try {
    run()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(SecretUnreadable)
  expect((caught as SecretUnreadable).code).toBe('INTERNAL')
  expect((caught as Error).message).toMatch(/^stored credential could not be decrypted/)
  expect((caught as Error).message).toMatch(reason)
  expect((caught as Error).message).not.toContain(SECRET)
}

describe('AesGcmSecretBox', () => {
  it('round-trips, in the v1:<keyId>:<iv>:<tag>:<ct> format, with a fresh IV every time', () => {
    const box = new AesGcmSecretBox(NEW)
    const a = box.seal(SECRET, AAD)
    const b = box.seal(SECRET, AAD)
    expect(a.keyId).toBe(keyIdOf(NEW))
    expect(a.keyId).toMatch(/^[0-9a-f]{8}$/)
    expect(parseSealed(a.ciphertext)).toMatchObject({ version: 'v1', keyId: a.keyId })
    expect(Buffer.from(parseSealed(a.ciphertext)!.iv, 'base64url')).toHaveLength(12)
    expect(a.ciphertext).not.toBe(b.ciphertext)
    expect(parseSealed(a.ciphertext)!.iv).not.toBe(parseSealed(b.ciphertext)!.iv)
    expect(a.ciphertext).not.toContain(SECRET)
    expect(box.open(a.ciphertext, AAD)).toBe(SECRET)
    expect(box.open(b.ciphertext, AAD)).toBe(SECRET)
    expect(box.open(box.seal('ключ 🔑', AAD).ciphertext, AAD)).toBe('ключ 🔑')
  })

  it('derives key ids from the keys themselves: stable, distinct, not the key', () => {
    expect(keyIdOf(NEW)).toBe(keyIdOf(Buffer.from(NEW)))
    expect(keyIdOf(NEW)).not.toBe(keyIdOf(OLD))
    expect(NEW.toString('hex')).not.toContain(keyIdOf(NEW))
  })

  it.each([
    ['key id', 1, /not in keyring/],
    ['iv', 2, /authentication failed/],
    ['tag', 3, /authentication failed/],
    ['body', 4, /authentication failed/],
  ])('refuses a tampered %s with a coded error, never garbage', (_part, index, reason) => {
    const box = new AesGcmSecretBox(NEW)
    const { ciphertext } = box.seal(SECRET, AAD)
    expectUnreadable(() => box.open(tamper(ciphertext, index), AAD), reason)
  })

  it('refuses malformed values and unknown versions, never returning them as plaintext', () => {
    const box = new AesGcmSecretBox(NEW)
    const { ciphertext } = box.seal(SECRET, AAD)
    expectUnreadable(() => box.open(SECRET, AAD), /malformed/)
    expectUnreadable(() => box.open('', AAD), /malformed/)
    expectUnreadable(() => box.open(ciphertext.replace(/^v1:/, 'v9:'), AAD), /unsupported format v9/)
    expectUnreadable(() => box.open(ciphertext.split(':').slice(0, 4).join(':'), AAD), /malformed/)
  })

  it('binds a value to its record: the same ciphertext under another AAD fails', () => {
    const box = new AesGcmSecretBox(NEW)
    const { ciphertext } = box.seal(SECRET, AAD)
    expectUnreadable(() => box.open(ciphertext, 'model-config:m-2'), /bound to another record/)
    expectUnreadable(() => box.open(ciphertext, 'provider-credential:m-1'), /authentication failed/)
  })

  it('names an unknown key id without revealing anything else', () => {
    const sealed = new AesGcmSecretBox(OLD).seal(SECRET, AAD)
    expectUnreadable(() => new AesGcmSecretBox(NEW).open(sealed.ciphertext, AAD), new RegExp(`key id ${keyIdOf(OLD)} not in keyring`))
  })

  it('rotation: opens values of previous keys, seals under the current one, and says what needs resealing', () => {
    const before = new AesGcmSecretBox(OLD)
    const old = before.seal(SECRET, AAD)
    const after = new AesGcmSecretBox(NEW, [OLD])
    expect(after.currentKeyId).toBe(keyIdOf(NEW))
    expect(after.keyIds).toEqual([keyIdOf(NEW), keyIdOf(OLD)])
    expect(after.open(old.ciphertext, AAD)).toBe(SECRET)
    expect(after.needsReseal(old.ciphertext)).toBe(true)
    const resealed = after.seal(after.open(old.ciphertext, AAD), AAD)
    expect(resealed.keyId).toBe(keyIdOf(NEW))
    expect(after.needsReseal(resealed.ciphertext)).toBe(false)
    expect(after.needsReseal('garbage')).toBe(true)
    // Once the old key is dropped from the keyring, only resealed values open.
    const newOnly = new AesGcmSecretBox(NEW)
    expect(newOnly.open(resealed.ciphertext, AAD)).toBe(SECRET)
    expectUnreadable(() => newOnly.open(old.ciphertext, AAD), /not in keyring/)
  })

  it('validates the keyring', () => {
    expect(() => new AesGcmSecretBox(Buffer.alloc(16))).toThrow(/32 bytes/)
    expect(() => new AesGcmSecretBox(NEW, [Buffer.alloc(31)])).toThrow(/32 bytes/)
    expect(new AesGcmSecretBox(NEW, [NEW, OLD]).keyIds).toEqual([keyIdOf(NEW), keyIdOf(OLD)])
    expect(() => new AesGcmSecretBox(NEW).seal('', AAD)).toThrow(/empty/)
    const random = randomBytes(32)
    expect(new AesGcmSecretBox(random).open(new AesGcmSecretBox(random).seal('x', 'a').ciphertext, 'a')).toBe('x')
  })
})
