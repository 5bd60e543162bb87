import { Unauthenticated } from '../../../shared/errors.ts'
import type { ApiKeyAuthenticator, KeyPrincipal } from '../api-key-authenticator.port.ts'

/** An in-memory ApiKeyAuthenticator: secret -> principal, set by the test. */
export class StaticApiKeyAuthenticator implements ApiKeyAuthenticator {
  private readonly keys = new Map<string, KeyPrincipal>()

  add(secret: string, principal: KeyPrincipal): this {
    this.keys.set(secret, principal)
    return this
  }

  async authenticate(secret: string): Promise<KeyPrincipal> {
    const principal = this.keys.get(secret)
    if (!principal) throw new Unauthenticated('Invalid API key')
    return principal
  }
}
