import { token } from '../../shared/di.ts'

/** Makes and hashes platform API key secrets (the pepper stays inside the adapter). */
export interface KeySecrets {
  /** A fresh `sk-<prefix>_<random>` with 8 prefix characters and at least 32 random bytes. */
  generate(): { secret: string; prefix: string }
  /** HMAC-SHA-256(pepper, secret), hex: what is stored and looked up. */
  hash(secret: string): string
}
export const KeySecrets = token<KeySecrets>('KeySecrets')
