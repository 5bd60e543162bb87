import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { SEALED_VERSION, SecretUnreadable, parseSealed, type Sealed, type SecretBox } from './secret-box.port.ts'

const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32

/**
 * The key id is a fingerprint of the key itself, so operators never manage ids: the same key always
 * has the same id, and a ciphertext names the key that opens it. 32 bits tell a handful of keys
 * apart; a collision inside one keyring is refused at start-up.
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('chatbase-key-id:').update(key).digest('hex').slice(0, 8)
}

/** The header (version and key id) is authenticated too, ahead of the caller's record binding. */
const associatedData = (keyId: string, aad: string) => Buffer.from(`${SEALED_VERSION}:${keyId}\n${aad}`, 'utf8')

/** AES-256-GCM with a fresh random 96-bit IV per value; the keyring is the current key plus previous keys. */
export class AesGcmSecretBox implements SecretBox {
  readonly currentKeyId: string
  readonly keyIds: readonly string[]
  private readonly keys = new Map<string, Buffer>()

  constructor(currentKey: Buffer, previousKeys: readonly Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== KEY_BYTES) throw new Error(`master keys must be ${KEY_BYTES} bytes, got ${key.length}`)
      const id = keyIdOf(key)
      const known = this.keys.get(id)
      if (known && !known.equals(key)) throw new Error(`two master keys share the key id ${id}; replace one of them`)
      // The same key listed twice (current and previous) is harmless: keep the first.
      if (!known) this.keys.set(id, Buffer.from(key))
    }
    this.currentKeyId = keyIdOf(currentKey)
    this.keyIds = [...this.keys.keys()]
  }

  seal(plaintext: string, aad: string): Sealed {
    if (plaintext === '') throw new Error('refusing to seal an empty secret')
    const keyId = this.currentKeyId
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv(ALGORITHM, this.keys.get(keyId)!, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(associatedData(keyId, aad))
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const parts = [SEALED_VERSION, keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')]
    return { ciphertext: parts.join(':'), keyId }
  }

  open(ciphertext: string, aad: string): string {
    const parts = parseSealed(ciphertext)
    if (!parts) throw new SecretUnreadable('malformed ciphertext')
    if (parts.version !== SEALED_VERSION) throw new SecretUnreadable(`unsupported format ${parts.version.slice(0, 8)}`)
    const key = this.keys.get(parts.keyId)
    if (!key) throw new SecretUnreadable(`key id ${parts.keyId.slice(0, 16)} not in keyring`)
    const iv = Buffer.from(parts.iv, 'base64url')
    const tag = Buffer.from(parts.tag, 'base64url')
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretUnreadable('malformed ciphertext')
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(associatedData(parts.keyId, aad))
      decipher.setAuthTag(tag)
      const plain = Buffer.concat([decipher.update(Buffer.from(parts.body, 'base64url')), decipher.final()])
      return plain.toString('utf8')
    } catch {
      // Nothing decrypted is returned unless final() verified the tag; the cause is not kept (no data in it).
      throw new SecretUnreadable('authentication failed: tampered, or bound to another record')
    }
  }

  needsReseal(ciphertext: string): boolean {
    const parts = parseSealed(ciphertext)
    return !parts || parts.version !== SEALED_VERSION || parts.keyId !== this.currentKeyId
  }
}
