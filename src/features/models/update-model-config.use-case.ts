import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { OutboundAddressPolicy } from '../../shared/outbound/address-policy.ts'
import { OutboundPolicy } from '../../shared/outbound/outbound-transport.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { UserRepository } from '../users/user.repository.port.ts'
import { findManageableModel } from './find-manageable-model.ts'
import type { ModelConfigChanges, ModelScope } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { checkAllowedUsers, fieldProblems, normalizeBaseUrl, type ModelFields } from './model-fields.ts'
import { limitsProblems } from './model-rules.ts'
import { modelView, type ModelView } from './model-view.ts'
import { InvalidModelConfig } from './models.errors.ts'

export interface UpdateModelConfigInput {
  actor: Actor
  /** Which route asked: a personal route never touches a system model and vice versa. */
  scope: ModelScope
  configId: string
  /** The key is not a field: it changes only through RotateApiKey. */
  changes: Partial<ModelFields>
}

/** Changes plain fields of a model. Limits are kept unless given, even when the model id changes. */
@injectable()
export class UpdateModelConfig {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(UserRepository) private readonly users: UserRepository,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(OutboundPolicy) private readonly outbound: OutboundPolicy = new OutboundAddressPolicy(),
  ) {}

  async execute({ actor, scope, configId, changes }: UpdateModelConfigInput): Promise<ModelView> {
    const before = await findManageableModel(this.configs, actor, configId, scope)
    const problems = fieldProblems(changes, scope, this.outbound)
    problems.push(
      ...limitsProblems({
        contextWindow: changes.contextWindow ?? before.contextWindow,
        maxOutputTokens: changes.maxOutputTokens ?? before.maxOutputTokens,
      }),
    )
    const allowed = changes.allowedUserIds ? await checkAllowedUsers(this.users, changes.allowedUserIds) : undefined
    if (allowed) problems.push(...allowed.problems)
    if (problems.length) throw new InvalidModelConfig(problems)

    const patch: ModelConfigChanges = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined))
    if (changes.baseUrl !== undefined) patch.baseUrl = normalizeBaseUrl(changes.baseUrl)
    if (allowed) patch.allowedUserIds = allowed.ids
    const differs = (k: keyof ModelConfigChanges) => JSON.stringify(patch[k]) !== JSON.stringify(before[k])
    const changed = (Object.keys(patch) as Array<keyof ModelConfigChanges>).filter(differs).sort()
    if (changed.length === 0) return modelView(before, actor)

    const updated = await this.configs.update(configId, patch)
    await this.audit.record({
      actorId: actor.userId,
      action: 'model.updated',
      targetType: 'model_config',
      targetId: configId,
      metadata: { scope, changed },
    })
    return modelView(updated, actor)
  }
}
