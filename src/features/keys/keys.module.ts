import type { DependencyContainer } from 'tsyringe'
import { bindClass, bindValue } from '../../shared/di.ts'
import { ApiKeyAuthenticator } from '../relay/api-key-authenticator.port.ts'
import { HmacKeySecrets } from './adapters/hmac-key-secrets.ts'
import { PrismaPlatformKeyRepository } from './adapters/prisma-platform-key.repository.ts'
import { AuthenticatePlatformKey } from './authenticate-platform-key.use-case.ts'
import { KeySecrets } from './key-secrets.port.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

/**
 * Binds platform API keys and the relay's ApiKeyAuthenticator. `pepper` is the API key pepper from
 * the resolved secrets (API_KEY_PEPPER or the generated one). Needs Database, Clock, IdGenerator,
 * Log and AuditTrail.
 */
export function registerKeys(c: DependencyContainer, options: { pepper: string }): void {
  bindValue(c, KeySecrets, new HmacKeySecrets(options.pepper))
  bindClass(c, PlatformKeyRepository, PrismaPlatformKeyRepository)
  bindClass(c, ApiKeyAuthenticator, AuthenticatePlatformKey)
}
