import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { CredentialSelector } from './credential-selector.ts'
import { canUse, modelConfigAad, type ModelConfig, type StoredModelConfig } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import type { ModelAccess, UsableModel } from './model-access.port.ts'
import { ModelNotFound } from './models.errors.ts'

const usable = (actor: Actor, config: StoredModelConfig | null): config is StoredModelConfig =>
  !!config && config.enabled && canUse(actor, config)

function withoutSecrets({ credential: _credential, ...config }: StoredModelConfig): ModelConfig {
  return { ...config, defaultParams: { ...config.defaultParams }, allowedUserIds: [...config.allowedUserIds] }
}

/** The models slice's implementation of ModelAccess, for chat and the relay. */
@injectable()
export class ModelAccessService implements ModelAccess {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    /** Absent only when wired by hand (unit tests): then the model's own key alone, as before pools. */
    @inject(CredentialSelector) private readonly credentials?: CredentialSelector,
  ) {}

  async resolveForUse(actor: Actor, modelConfigId: string): Promise<UsableModel> {
    const config = await this.configs.findById(modelConfigId)
    if (!usable(actor, config)) throw new ModelNotFound()
    const { credentials } = this
    if (!credentials) {
      const apiKey = config.credential ? this.box.open(config.credential.ciphertext, modelConfigAad(config.id)) : ''
      return { config: withoutSecrets(config), apiKey }
    }
    // The own key and, for a system model, its pool: best first (credential-pool.ts decides the order).
    const candidates = await credentials.candidatesFor(config)
    const reportFailure: UsableModel['reportFailure'] = (candidate, failure) => credentials.reportFailure(config.id, candidate, failure)
    return { config: withoutSecrets(config), apiKey: candidates[0]!.apiKey, candidates, reportFailure }
  }

  async listUsable(actor: Actor): Promise<ModelConfig[]> {
    const all = await this.configs.listForUser(actor.userId)
    return all.filter((c) => usable(actor, c)).map(withoutSecrets)
  }
}
