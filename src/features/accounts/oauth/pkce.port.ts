import { token } from '../../../shared/di.ts'

/** One authorization's secrets: the verifier stays in the flow store, the challenge and state go in the URL. */
export interface PkcePair {
  /** RFC 7636: 43-128 characters of [A-Za-z0-9-._~]. */
  verifier: string
  /** BASE64URL(SHA256(verifier)): the S256 method. */
  challenge: string
  /** Opaque, unguessable: ties the pasted callback to this flow. */
  state: string
}

export interface PkceSource {
  create(): PkcePair
}
export const PkceSource = token<PkceSource>('PkceSource')
