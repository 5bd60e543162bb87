import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { MAX_POOL_SIZE } from './credential-pool.ts'
import { PoolFull } from './credential-pool.errors.ts'
import { poolCredentialView, type PoolCredentialView } from './credential-view.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { credentialHint, providerCredentialAad } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { normalizeApiKey } from './model-rules.ts'
import { InvalidModelConfig } from './models.errors.ts'
import { ProviderCredentialRepository } from './provider-credential.repository.port.ts'

export interface AddPoolCredentialInput {
  actor: Actor
  configId: string
  label: string
  apiKey: string
  /** 1..100 (checked at the edge); default 1. */
  weight?: number
}

/**
 * Admin: adds a provider key to a system model's pool. The key is sealed bound to its own row
 * (`provider-credential:<id>`), so master-key rotation covers it; only its hint is ever shown or audited.
 */
@injectable()
export class AddPoolCredential {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(ProviderCredentialRepository) private readonly pool: ProviderCredentialRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, configId, label, apiKey: rawKey, weight = 1 }: AddPoolCredentialInput): Promise<PoolCredentialView> {
    const config = await findManageableModel(this.configs, actor, configId, 'system')
    const { apiKey, problems } = normalizeApiKey(rawKey)
    if (problems.length) throw new InvalidModelConfig(problems)
    if ((await this.pool.listForModel(config.id)).length >= MAX_POOL_SIZE) throw new PoolFull()
    const id = this.ids.next()
    const created = await this.pool.create({
      id,
      modelConfigId: config.id,
      label: label.trim(),
      ...this.box.seal(apiKey, providerCredentialAad(id)),
      hint: credentialHint(apiKey),
      weight,
      enabled: true,
    })
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.credential_added',
      targetType: 'model_config',
      targetId: config.id,
      metadata: { credentialId: id, label: created.label, credentialHint: created.hint, weight },
    })
    return poolCredentialView(created, undefined, this.clock.now().getTime())
  }
}
