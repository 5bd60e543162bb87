import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden, NotFound } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { AccountPools, badAccountIdsProblem, distinctIds } from '../models/account-pools.port.ts'
import { ModelConfigRepository } from '../models/model-config.repository.port.ts'
import { modelView, type ModelView } from '../models/model-view.ts'
import { auditAction, InvalidAccountInput } from './account-admin.errors.ts'

export interface ReplaceModelPoolInput {
  actor: Actor
  configId: string
  /** Repeats are dropped; [] empties the pool (the model then uses its own key again). */
  accountIds: readonly string[]
}

/**
 * Admin: `PUT /api/models/system/{id}/accounts`. Every id must be an account of the model's provider
 * kind, else a 400 naming the bad ones and nothing changes. A personal or unknown model is a 404.
 */
@injectable()
export class ReplaceModelPool {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(AccountPools) private readonly pools: AccountPools,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, configId, accountIds }: ReplaceModelPoolInput): Promise<ModelView> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const config = await this.configs.findById(configId)
    if (!config || config.scope !== 'system') throw new NotFound('Model')
    const ids = distinctIds(accountIds)
    const bad = await this.pools.invalidIds(config.providerKind, ids)
    if (bad.length) throw new InvalidAccountInput([badAccountIdsProblem(config.providerKind, bad)])
    const before = await this.pools.accountIdsOf(config.id)
    await this.pools.replace(config.id, ids)
    const after = await this.pools.accountIdsOf(config.id)
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.pool_replaced'),
      targetType: 'model_config',
      targetId: config.id,
      metadata: { modelId: config.modelId, providerKind: config.providerKind, before, after },
    })
    return modelView(config, actor, after)
  }
}
