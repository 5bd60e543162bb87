import { createHmac, randomBytes } from 'node:crypto'
import { formatSecret, PREFIX_LENGTH } from '../platform-key.ts'
import type { KeySecrets } from '../key-secrets.port.ts'

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const RANDOM_BYTES = 32

/** Secrets from the OS CSPRNG, hashed with HMAC-SHA-256 under the API key pepper (fast: a key is random, not a password). */
export class HmacKeySecrets implements KeySecrets {
  constructor(private readonly pepper: string) {
    if (pepper.length < 32) throw new Error('The API key pepper must be at least 32 characters')
  }

  generate(): { secret: string; prefix: string } {
    const prefix = randomPrefix()
    return { secret: formatSecret(prefix, randomBytes(RANDOM_BYTES).toString('base64url')), prefix }
  }

  hash(secret: string): string {
    return createHmac('sha256', this.pepper).update(secret, 'utf8').digest('hex')
  }
}

/** Unbiased: bytes of 252 and up (7 x 36) are skipped. */
function randomPrefix(): string {
  let prefix = ''
  while (prefix.length < PREFIX_LENGTH) {
    for (const byte of randomBytes(PREFIX_LENGTH * 2)) {
      if (byte < 252 && prefix.length < PREFIX_LENGTH) prefix += PREFIX_ALPHABET[byte % 36]
    }
  }
  return prefix
}
