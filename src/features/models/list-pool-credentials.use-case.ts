import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { healthKeyOf } from './credential-pool.ts'
import { CredentialSelector } from './credential-selector.ts'
import { keyStateView, poolCredentialView, type KeyStateView, type PoolCredentialView } from './credential-view.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ProviderCredentialRepository } from './provider-credential.repository.port.ts'

export interface PoolView {
  /** The model's own key, which takes part in the selection with weight 1; null when it has none. */
  modelKey: (KeyStateView & { hint: string }) | null
  items: PoolCredentialView[]
}

/** Admin: a system model's pooled credentials with their weights and live health. */
@injectable()
export class ListPoolCredentials {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(ProviderCredentialRepository) private readonly pool: ProviderCredentialRepository,
    @inject(CredentialSelector) private readonly selector: CredentialSelector,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, configId }: { actor: Actor; configId: string }): Promise<PoolView> {
    const config = await findManageableModel(this.configs, actor, configId, 'system')
    const credentials = await this.pool.listForModel(config.id)
    const ownKey = healthKeyOf(config.id, null)
    const live = await this.selector.liveStates([ownKey, ...credentials.map((c) => healthKeyOf(config.id, c.id))])
    const now = this.clock.now().getTime()
    const never = { cooldownUntil: null, lastStatus: null }
    return {
      modelKey: config.credential ? { hint: config.credential.hint, ...keyStateView(live.get(ownKey), never, now) } : null,
      items: credentials.map((c) => poolCredentialView(c, live.get(healthKeyOf(config.id, c.id)), now)),
    }
  }
}
