import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { CredentialNotFound } from './credential-pool.errors.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ProviderCredentialRepository } from './provider-credential.repository.port.ts'

/** Admin: removes a pooled credential; its sealed key is gone with the row. Requests already streaming keep the key they resolved. */
@injectable()
export class RemovePoolCredential {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(ProviderCredentialRepository) private readonly pool: ProviderCredentialRepository,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, configId, credentialId }: { actor: Actor; configId: string; credentialId: string }): Promise<void> {
    const config = await findManageableModel(this.configs, actor, configId, 'system')
    const removed = await this.pool.delete(config.id, credentialId)
    if (!removed) throw new CredentialNotFound()
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.credential_removed',
      targetType: 'model_config',
      targetId: config.id,
      metadata: { credentialId, label: removed.label, credentialHint: removed.hint },
    })
  }
}
