import type { DependencyContainer } from 'tsyringe'
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
import { CredentialHealth } from './credential-health.port.ts'
import { PoolRandom } from './credential-pool.ts'
import { ModelAccess } from './model-access.port.ts'
import { ModelAccessService } from './model-access.service.ts'
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
 * Needs Database, IdGenerator, Clock, AuditTrail, UserRepository and AiProvider (for the model test).
 */
export function registerModels(c: DependencyContainer, options: ModelsModuleOptions): void {
  bindValue(c, SecretBox, new AesGcmSecretBox(options.masterKey, options.previousMasterKeys))
  bindClass(c, ModelConfigRepository, PrismaModelConfigRepository)
  bindClass(c, SealedSecretStore, PrismaSealedSecretStore)
  bindClass(c, ModelAccess, ModelAccessService)
  bindClass(c, ProviderCredentialRepository, PrismaProviderCredentialRepository)
  bindValue(c, PoolRandom, Math.random)
  // With Redis, a key that failed on one replica sits out on all of them.
  bindFactory(c, CredentialHealth, (inner) =>
    inner.isRegistered(RedisClient, true)
      ? new RedisCredentialHealth(resolve(inner, RedisClient), resolve(inner, Clock))
      : new InProcessCredentialHealth(resolve(inner, Clock)),
  )
}
