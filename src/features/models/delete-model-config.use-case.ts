import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { findManageableModel } from './find-manageable-model.ts'
import type { ModelScope } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'

/** Deletes a model with its sealed key(s). Chat sessions that used it keep their history (model unset). */
@injectable()
export class DeleteModelConfig {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, scope, configId }: { actor: Actor; scope: ModelScope; configId: string }): Promise<void> {
    const config = await findManageableModel(this.configs, actor, configId, scope)
    await this.configs.delete(configId)
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.deleted',
      targetType: 'model_config',
      targetId: configId,
      metadata: { scope, providerKind: config.providerKind, modelId: config.modelId, displayName: config.displayName },
    })
  }
}
