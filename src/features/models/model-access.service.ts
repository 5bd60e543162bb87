import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { AccountPool } from './account-pool.port.ts'
import { CredentialSelector } from './credential-selector.ts'
import { canUse, modelConfigAad, type ModelConfig, type StoredModelConfig } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import type { CredentialCandidate, ModelAccess, ResolveOptions, UsableModel } from './model-access.port.ts'
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
    /** Absent only when wired by hand: then no upstream accounts. */
    @inject(AccountPool) private readonly accounts?: AccountPool,
  ) {}

  async resolveForUse(actor: Actor, modelConfigId: string, options: ResolveOptions = {}): Promise<UsableModel> {
    const config = await this.configs.findById(modelConfigId)
    if (!usable(actor, config)) throw new ModelNotFound()
    const { credentials } = this
    if (!credentials) {
      const apiKey = config.credential ? this.box.open(config.credential.ciphertext, modelConfigAad(config.id)) : ''
      return { config: withoutSecrets(config), apiKey }
    }
    // A system model's upstream accounts first, then its own key and pooled keys, each best first
    // (credential-pool.ts decides the order). A model with accounts and no key of its own uses only its accounts.
    const pooled = config.scope === 'system' && this.accounts ? await this.accounts.candidatesFor(config, options) : []
    const keys = pooled.length && !config.credential ? [] : await credentials.candidatesFor(config)
    const candidates = [...pooled, ...keys]
    const { accounts } = this
    const reportFailure: UsableModel['reportFailure'] = (candidate, failure) =>
      candidate.accountId && accounts ? accounts.reportFailure(candidate.accountId, failure) : credentials.reportFailure(config.id, candidate, failure)
    const reportSuccess = (candidate: CredentialCandidate) => {
      if (candidate.accountId && accounts) accounts.reportSuccess(candidate.accountId, options)
    }
    return { config: withoutSecrets(config), apiKey: candidates[0]!.apiKey, candidates, reportFailure, reportSuccess }
  }

  async listUsable(actor: Actor): Promise<ModelConfig[]> {
    const all = await this.configs.listForUser(actor.userId)
    return all.filter((c) => usable(actor, c)).map(withoutSecrets)
  }
}
