import type { DependencyContainer } from 'tsyringe'
import { AesGcmSecretBox } from '../../shared/crypto/aes-gcm-secret-box.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { bindClass, bindValue } from '../../shared/di.ts'
import { PrismaModelConfigRepository } from './adapters/prisma-model-config.repository.ts'
import { PrismaSealedSecretStore } from './adapters/prisma-sealed-secret.store.ts'
import { ModelAccess } from './model-access.port.ts'
import { ModelAccessService } from './model-access.service.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { SealedSecretStore } from './sealed-secret.store.port.ts'

export interface ModelsModuleOptions {
  /** Seals every new value. */
  masterKey: Buffer
  /** Still open older values, until a master-key rotation has re-sealed them all. */
  previousMasterKeys: Buffer[]
}

/**
 * Binds the SecretBox (keyring from the options), the model repositories and ModelAccess.
 * Needs Database, IdGenerator, Clock, AuditTrail, UserRepository and AiProvider (for the model test).
 */
export function registerModels(c: DependencyContainer, options: ModelsModuleOptions): void {
  bindValue(c, SecretBox, new AesGcmSecretBox(options.masterKey, options.previousMasterKeys))
  bindClass(c, ModelConfigRepository, PrismaModelConfigRepository)
  bindClass(c, SealedSecretStore, PrismaSealedSecretStore)
  bindClass(c, ModelAccess, ModelAccessService)
}
