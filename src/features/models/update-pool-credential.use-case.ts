import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { healthKeyOf } from './credential-pool.ts'
import { CredentialNotFound } from './credential-pool.errors.ts'
import { CredentialSelector } from './credential-selector.ts'
import { poolCredentialView, type PoolCredentialView } from './credential-view.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ProviderCredentialRepository, type ProviderCredentialChanges } from './provider-credential.repository.port.ts'

export interface UpdatePoolCredentialInput {
  actor: Actor
  configId: string
  credentialId: string
  changes: ProviderCredentialChanges
}

/** Admin: changes a pooled credential's label, weight or enabled flag (the key itself: remove and add). */
@injectable()
export class UpdatePoolCredential {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(ProviderCredentialRepository) private readonly pool: ProviderCredentialRepository,
    @inject(CredentialSelector) private readonly selector: CredentialSelector,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, configId, credentialId, changes }: UpdatePoolCredentialInput): Promise<PoolCredentialView> {
    const config = await findManageableModel(this.configs, actor, configId, 'system')
    const cleaned = { ...changes, ...(changes.label === undefined ? {} : { label: changes.label.trim() }) }
    const updated = await this.pool.update(config.id, credentialId, cleaned)
    if (!updated) throw new CredentialNotFound()
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.credential_updated',
      targetType: 'model_config',
      targetId: config.id,
      metadata: { credentialId, credentialHint: updated.hint, changes: cleaned },
    })
    const key = healthKeyOf(config.id, credentialId)
    const live = await this.selector.liveStates([key])
    return poolCredentialView(updated, live.get(key), this.clock.now().getTime())
  }
}
