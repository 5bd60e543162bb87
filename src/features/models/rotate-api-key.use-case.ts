import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { AppError } from '../../shared/errors.ts'
import { UnitOfWork } from '../../shared/unit-of-work.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { credentialHint, modelConfigAad, type StoredCredential } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ModelProbe } from './model-probe.ts'
import { normalizeApiKey } from './model-rules.ts'
import { modelView, type ModelView } from './model-view.ts'
import { ApiKeyRejected, InvalidModelConfig } from './models.errors.ts'

export interface RotateApiKeyInput {
  actor: Actor
  configId: string
  /** The new provider key; null removes the key (a keyless endpoint). */
  apiKey: string | null
  /** Call the provider with the new key first and refuse a key it rejects. */
  verify?: boolean
}

/** Provider errors that say the key itself is wrong (Gemini reports a bad key as a 400). */
const KEY_REJECTIONS = new Set(['PROVIDER_AUTH_FAILED'])

/**
 * Replaces a model's provider key in one unit of work: the new key is sealed and stored, the old
 * value is gone, and the change is audited (hint only); the key and its audit entry are stored
 * together or not at all. The provider is asked (verify) before, outside the transaction. Requests already streaming keep the key they
 * resolved when they started (ModelAccess decrypts per request).
 */
@injectable()
export class RotateApiKey {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(ModelProbe) private readonly probe: ModelProbe,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(UnitOfWork) private readonly unitOfWork: UnitOfWork,
  ) {}

  async execute({ actor, configId, apiKey: rawKey, verify = false }: RotateApiKeyInput): Promise<ModelView & { verified: boolean }> {
    const config = await findManageableModel(this.configs, actor, configId)
    let credential: StoredCredential | null = null
    if (rawKey !== null) {
      const { apiKey, problems } = normalizeApiKey(rawKey)
      if (problems.length) throw new InvalidModelConfig(problems)
      if (verify) await this.verify(config, apiKey)
      credential = { ...this.box.seal(apiKey, modelConfigAad(configId)), hint: credentialHint(apiKey) }
    }
    const updated = await this.unitOfWork.run(async () => {
      const stored = await this.configs.replaceCredential(configId, credential)
      await this.audit.record({
        actorId: actor.userId,
        action: 'model.api_key_rotated',
        targetType: 'model_config',
        targetId: configId,
        metadata: {
          scope: config.scope,
          removed: credential === null,
          verified: verify && credential !== null,
          previousHint: config.credential?.hint ?? null,
          credentialHint: credential?.hint ?? null,
        },
      })
      return stored
    })
    return { ...modelView(updated, actor), verified: verify && credential !== null }
  }

  private async verify(config: Parameters<ModelProbe['run']>[0], apiKey: string): Promise<void> {
    const result = await this.probe.run(config, apiKey)
    if (result.ok) return
    if (KEY_REJECTIONS.has(result.error.code)) throw new ApiKeyRejected(result.error.code, result.error.message)
    // The provider could not judge the key (down, rate limited, unknown model...): nothing is stored.
    throw new AppError(result.error.code, `Could not verify the new key: ${result.error.message}`)
  }
}
