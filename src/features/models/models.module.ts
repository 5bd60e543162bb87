import type { DependencyContainer } from 'tsyringe'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { AesGcmSecretBox } from '../../shared/crypto/aes-gcm-secret-box.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { Clock } from '../../shared/clock.port.ts'
import { bindClass, bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { InProcessCredentialHealth } from './adapters/in-process-credential-health.ts'
import { PrismaModelConfigRepository } from './adapters/prisma-model-config.repository.ts'
import { PrismaProviderCredentialRepository } from './adapters/prisma-provider-credential.repository.ts'
import { PrismaSealedSecretStore } from './adapters/prisma-sealed-secret.store.ts'
import { RedisCredentialHealth } from './adapters/redis-credential-health.ts'
import { AnnouncingSealedSecretStore, CachingModelConfigRepository, CachingProviderCredentialRepository } from './caching-model-repositories.ts'
import { CredentialHealth } from './credential-health.port.ts'
import { PoolRandom } from './credential-pool.ts'
import { ModelAccess } from './model-access.port.ts'
import { ModelAccessService } from './model-access.service.ts'
import { ModelCatalog } from './model-catalog.port.ts'
import { ModelCatalogService } from './model-catalog.service.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ProviderCredentialRepository } from './provider-credential.repository.port.ts'
import { SealedSecretStore } from './sealed-secret.store.port.ts'

export interface ModelsModuleOptions {
  /** Seals every new value. */
  masterKey: Buffer
  /** Still open older values, until a master-key rotation has re-sealed them all. */
  previousMasterKeys: Buffer[]
}

/**
 * Binds the SecretBox (keyring from the options), the model repositories, ModelAccess and the
 * credential pool's health (shared through Redis when RedisClient is bound).
 * Needs Database, IdGenerator, Clock, AuditTrail, UserRepository, CacheInvalidation and AiProvider (for the model test).
 */
export function registerModels(c: DependencyContainer, options: ModelsModuleOptions): void {
  bindValue(c, SecretBox, new AesGcmSecretBox(options.masterKey, options.previousMasterKeys))
  // Configs and pools are read from memory per request; every write drops them on every replica.
  const cached = <T>(make: (inner: DependencyContainer, invalidation: CacheInvalidation) => T) => (inner: DependencyContainer) => make(inner, resolve(inner, CacheInvalidation))
  bindFactory(c, ModelConfigRepository, cached((inner, bus) => new CachingModelConfigRepository(inner.resolve(PrismaModelConfigRepository), bus, resolve(inner, Clock))))
  bindFactory(c, ProviderCredentialRepository, cached((inner, bus) => new CachingProviderCredentialRepository(inner.resolve(PrismaProviderCredentialRepository), bus, resolve(inner, Clock))))
  bindFactory(c, SealedSecretStore, cached((inner, bus) => new AnnouncingSealedSecretStore(inner.resolve(PrismaSealedSecretStore), bus)))
  bindClass(c, ModelAccess, ModelAccessService)
  bindClass(c, ModelCatalog, ModelCatalogService)
  bindValue(c, PoolRandom, Math.random)
  // With Redis, a key that failed on one replica sits out on all of them.
  bindFactory(c, CredentialHealth, (inner) =>
    inner.isRegistered(RedisClient, true)
      ? new RedisCredentialHealth(resolve(inner, RedisClient), resolve(inner, Clock))
      : new InProcessCredentialHealth(resolve(inner, Clock)),
  )
}
