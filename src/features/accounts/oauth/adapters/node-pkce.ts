import { createHash, randomBytes } from 'node:crypto'
import type { PkcePair, PkceSource } from '../pkce.port.ts'

/** PKCE S256 from node:crypto: a 32-byte verifier (43 base64url characters) and a 32-byte state. */
export class NodePkce implements PkceSource {
  create(): PkcePair {
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    return { verifier, challenge, state: randomBytes(32).toString('base64url') }
  }
}
