import type { ApiKeyAuthenticator, KeyPrincipal } from './api-key-authenticator.port.ts'
import { TtlCache } from './ttl-cache.ts'

/** Reuses a successful key lookup for `ttlMs` (RelayOptions.keyCacheMs); failures are never cached. */
export class CachedKeyAuthenticator implements ApiKeyAuthenticator {
  private readonly cache: TtlCache<KeyPrincipal>

  constructor(
    private readonly inner: ApiKeyAuthenticator,
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs)
  }

  authenticate(secret: string): Promise<KeyPrincipal> {
    return this.cache.get(secret, () => this.inner.authenticate(secret))
  }
}
