import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import type { ModelCatalog } from './model-catalog.port.ts'
import { canUse, type ModelConfig, type StoredModelConfig } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'

function withoutSecrets({ credential: _credential, ...config }: StoredModelConfig): ModelConfig {
  return { ...config, defaultParams: { ...config.defaultParams }, allowedUserIds: [...config.allowedUserIds] }
}

/** The models slice's implementation of ModelCatalog, over the (cached) model repository. */
@injectable()
export class ModelCatalogService implements ModelCatalog {
  constructor(@inject(ModelConfigRepository) private readonly configs: ModelConfigRepository) {}

  async referableBy(actor: Actor): Promise<ModelConfig[]> {
    // listForUser: the user's personal models and every system model; canUse applies visibility.
    const all = await this.configs.listForUser(actor.userId)
    return all.filter((c) => canUse(actor, c)).map(withoutSecrets)
  }

  async findSystemModel(id: string): Promise<ModelConfig | null> {
    const config = await this.configs.findById(id)
    return config && config.ownerId === null ? withoutSecrets(config) : null
  }
}
