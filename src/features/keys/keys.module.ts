import type { DependencyContainer } from 'tsyringe'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { Clock } from '../../shared/clock.port.ts'
import { bindClass, bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { ApiKeyAuthenticator } from '../relay/api-key-authenticator.port.ts'
import { HmacKeySecrets } from './adapters/hmac-key-secrets.ts'
import { PrismaPlatformKeyRepository } from './adapters/prisma-platform-key.repository.ts'
import { AuthenticatePlatformKey } from './authenticate-platform-key.use-case.ts'
import { CachingPlatformKeyRepository } from './caching-platform-key.repository.ts'
import { KeySecrets } from './key-secrets.port.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

/**
 * Binds platform API keys and the relay's ApiKeyAuthenticator. `pepper` is the API key pepper from
 * the resolved secrets (API_KEY_PEPPER or the generated one). Needs Database, Clock, IdGenerator,
 * Log, AuditTrail and CacheInvalidation.
 */
export function registerKeys(c: DependencyContainer, options: { pepper: string }): void {
  bindValue(c, KeySecrets, new HmacKeySecrets(options.pepper))
  // Key lookups are served from memory, dropped on revoke, rotate and owner changes on every replica.
  bindFactory(
    c,
    PlatformKeyRepository,
    (inner) => new CachingPlatformKeyRepository(inner.resolve(PrismaPlatformKeyRepository), resolve(inner, CacheInvalidation), resolve(inner, Clock)),
  )
  bindClass(c, ApiKeyAuthenticator, AuthenticatePlatformKey)
}
