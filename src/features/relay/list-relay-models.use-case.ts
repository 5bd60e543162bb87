import { inject, injectable } from 'tsyringe'
import { ModelAccess } from '../models/model-access.port.ts'
import type { ModelConfig } from '../models/model-config.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { RelayModelNotFound } from './relay.errors.ts'
import { namedModels, pickModel, publicModelName } from './relay-models.ts'

/** A model the key may use, with the name relay clients use for it. */
export interface NamedModel {
  name: string
  config: ModelConfig
}

/** GET /v1/models and /v1/models/{model}: the models the key may use (the routes pick the format). */
@injectable()
export class ListRelayModels {
  constructor(@inject(ModelAccess) private readonly models: ModelAccess) {}

  /** Oldest first. */
  async execute(principal: KeyPrincipal): Promise<NamedModel[]> {
    const usable = await this.models.listUsable(principal.actor)
    return namedModels(usable, principal.allowedModels)
  }

  /** One of them, by any name the relay accepts in `model`. */
  async find(principal: KeyPrincipal, name: string): Promise<NamedModel> {
    const usable = await this.models.listUsable(principal.actor)
    const config = pickModel(usable, principal.allowedModels, name)
    if (!config) throw new RelayModelNotFound(name)
    return { name: publicModelName(usable, principal.allowedModels, config), config }
  }
}
