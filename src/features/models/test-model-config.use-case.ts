import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { modelConfigAad } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { ModelProbe, type ProbeResult } from './model-probe.ts'

/**
 * POST /models/:id/test: a minimal real call with the stored key. A provider failure is an answer
 * (ok: false with the provider's own message), not an error of this endpoint.
 */
@injectable()
export class TestModelConfig {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(ModelProbe) private readonly probe: ModelProbe,
  ) {}

  async execute({ actor, configId }: { actor: Actor; configId: string }): Promise<ProbeResult> {
    const config = await findManageableModel(this.configs, actor, configId)
    const apiKey = config.credential ? this.box.open(config.credential.ciphertext, modelConfigAad(config.id)) : ''
    return this.probe.run(config, apiKey)
  }
}
