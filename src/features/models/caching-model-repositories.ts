import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { Clock } from '../../shared/clock.port.ts'
import { deepFreeze } from '../../shared/deep-freeze.ts'
import { InvalidatedCache } from '../../shared/invalidated-cache.ts'
import type { ModelConfigChanges, NewModelConfig, StoredCredential, StoredModelConfig } from './model-config.ts'
import type { ModelConfigRepository } from './model-config.repository.port.ts'
import type { NewProviderCredential, ProviderCredentialChanges, ProviderCredentialRepository, StoredProviderCredential } from './provider-credential.repository.port.ts'
import type { Reseal, SealedSecretStore, SecretQuery, StoredSecret } from './sealed-secret.store.port.ts'

/**
 * Invalidation topic of model configs and everything hanging off them (their pooled credentials);
 * ids are model config ids.
 */
export const MODEL_CONFIGS_TOPIC = 'model-configs'

export interface ModelCacheOptions {
  /** Safety net for a lost invalidation message (see InvalidatedCache). */
  maxAgeMs: number
  maxEntries: number
}
export const DEFAULT_MODEL_CACHE: ModelCacheOptions = { maxAgeMs: 60_000, maxEntries: 10_000 }

const cacheOf = <V>(invalidation: CacheInvalidation, clock: Clock, options: ModelCacheOptions, keep?: (value: V) => boolean) => {
  const cache = new InvalidatedCache<V>({ ...options, keep, now: () => clock.now().getTime() })
  invalidation.subscribe(MODEL_CONFIGS_TOPIC, (ids) => cache.drop((_value, id) => ids === null || ids.includes(id)))
  return cache
}

/**
 * Model configs by id from memory (ModelAccess reads one per chat reply and relay call). Every
 * write publishes an invalidation that each replica applies before its next read.
 */
export class CachingModelConfigRepository implements ModelConfigRepository {
  private readonly byId: InvalidatedCache<StoredModelConfig | null>

  constructor(
    private readonly inner: ModelConfigRepository,
    private readonly invalidation: CacheInvalidation,
    clock: Clock,
    options: ModelCacheOptions = DEFAULT_MODEL_CACHE,
  ) {
    this.byId = cacheOf(invalidation, clock, options, (config) => config !== null)
  }

  findById(id: string): Promise<StoredModelConfig | null> {
    return this.byId.get(id, async () => deepFreeze(await this.inner.findById(id)))
  }

  async update(id: string, changes: ModelConfigChanges): Promise<StoredModelConfig> {
    return this.changed(id, await this.inner.update(id, changes))
  }

  async delete(id: string): Promise<void> {
    await this.inner.delete(id)
    await this.invalidation.publish(MODEL_CONFIGS_TOPIC, [id])
  }

  async replaceCredential(id: string, credential: StoredCredential | null): Promise<StoredModelConfig> {
    return this.changed(id, await this.inner.replaceCredential(id, credential))
  }

  create(config: NewModelConfig): Promise<StoredModelConfig> {
    return this.inner.create(config)
  }

  listForUser(userId: string): Promise<StoredModelConfig[]> {
    return this.inner.listForUser(userId)
  }

  private async changed<T>(id: string, result: T): Promise<T> {
    await this.invalidation.publish(MODEL_CONFIGS_TOPIC, [id])
    return result
  }
}

/** A system model's pooled credentials from memory, invalidated like the model itself. */
export class CachingProviderCredentialRepository implements ProviderCredentialRepository {
  private readonly byModel: InvalidatedCache<StoredProviderCredential[]>

  constructor(
    private readonly inner: ProviderCredentialRepository,
    private readonly invalidation: CacheInvalidation,
    clock: Clock,
    options: ModelCacheOptions = DEFAULT_MODEL_CACHE,
  ) {
    this.byModel = cacheOf(invalidation, clock, options)
  }

  listForModel(modelConfigId: string): Promise<StoredProviderCredential[]> {
    return this.byModel.get(modelConfigId, async () => deepFreeze(await this.inner.listForModel(modelConfigId)))
  }

  async create(credential: NewProviderCredential): Promise<StoredProviderCredential> {
    return this.changed(credential.modelConfigId, await this.inner.create(credential))
  }

  async update(modelConfigId: string, id: string, changes: ProviderCredentialChanges): Promise<StoredProviderCredential | null> {
    return this.changed(modelConfigId, await this.inner.update(modelConfigId, id, changes))
  }

  async delete(modelConfigId: string, id: string): Promise<StoredProviderCredential | null> {
    return this.changed(modelConfigId, await this.inner.delete(modelConfigId, id))
  }

  /**
   * Only the admin view's persisted copy: requests read live cooldowns from CredentialHealth, so
   * this drops the local entry without telling other replicas.
   */
  async recordCooldown(id: string, cooldownUntil: Date, lastStatus: number): Promise<void> {
    await this.inner.recordCooldown(id, cooldownUntil, lastStatus)
    this.byModel.drop((credentials) => credentials.some((c) => c.id === id))
  }

  private async changed<T>(modelConfigId: string, result: T): Promise<T> {
    await this.invalidation.publish(MODEL_CONFIGS_TOPIC, [modelConfigId])
    return result
  }
}

/** Master-key rotation re-seals secrets in place: cached ciphertexts of every model are dropped after each batch. */
export class AnnouncingSealedSecretStore implements SealedSecretStore {
  constructor(
    private readonly inner: SealedSecretStore,
    private readonly invalidation: CacheInvalidation,
  ) {}

  async resealMany(items: Reseal[]): Promise<boolean[]> {
    const replaced = await this.inner.resealMany(items)
    await this.invalidation.publish(MODEL_CONFIGS_TOPIC, null)
    return replaced
  }

  list(query: SecretQuery): Promise<StoredSecret[]> {
    return this.inner.list(query)
  }

  countByKeyId(): Promise<Record<string, number>> {
    return this.inner.countByKeyId()
  }
}
