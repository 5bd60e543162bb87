import { token } from '../di.ts'
import { AppError } from '../errors.ts'

/**
 * Authenticated encryption of small secrets (provider API keys) at rest.
 *
 * A ciphertext is self-describing: `v1:<keyId>:<iv>:<tag>:<ct>` (base64url parts), so it can be opened
 * with whichever key of the keyring sealed it. `aad` (associated data) binds the value to its record,
 * e.g. `model-config:<id>`: the same ciphertext under another record's AAD fails to open.
 */
export interface Sealed {
  ciphertext: string
  /** The id of the key that sealed it (also inside `ciphertext`); stored beside it for queries. */
  keyId: string
}

export interface SecretBox {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string
  /** Every key id this box can open, current first, then the previous keys in keyring order. */
  readonly keyIds: readonly string[]
  seal(plaintext: string, aad: string): Sealed
  /** Throws SecretUnreadable when the value is malformed, tampered, bound to other AAD or its key is gone. */
  open(ciphertext: string, aad: string): string
  /** True when the value was sealed with a key other than the current one (or cannot be parsed). */
  needsReseal(ciphertext: string): boolean
}
export const SecretBox = token<SecretBox>('SecretBox')

/** Never carries the plaintext or key material: only why opening failed. */
export class SecretUnreadable extends AppError {
  constructor(reason: string) {
    super('INTERNAL', `stored credential could not be decrypted (${reason})`)
  }
}

export const SEALED_VERSION = 'v1'

export interface SealedParts {
  version: string
  keyId: string
  iv: string
  tag: string
  body: string
}

/** Splits a stored value into its parts without decrypting it; undefined when it is not in the format. */
export function parseSealed(ciphertext: string): SealedParts | undefined {
  const parts = ciphertext.split(':')
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined
  const [version, keyId, iv, tag, body] = parts as [string, string, string, string, string]
  return { version, keyId, iv, tag, body }
}

export const keyIdOfSealed = (ciphertext: string): string | undefined => parseSealed(ciphertext)?.keyId
