import { inject, injectable } from 'tsyringe'
import { ModelAccess } from '../models/model-access.port.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { modelsForKey, toOpenAiModel, type OpenAiModel } from './relay-models.ts'

/** GET /v1/models: the models the key may use, in OpenAI's list format. */
@injectable()
export class ListRelayModels {
  constructor(@inject(ModelAccess) private readonly models: ModelAccess) {}

  async execute(principal: KeyPrincipal): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    const usable = await this.models.listUsable(principal.actor)
    return { object: 'list', data: modelsForKey(usable, principal.allowedModels).map(toOpenAiModel) }
  }
}
