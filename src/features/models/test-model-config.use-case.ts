import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { AppError } from '../../shared/errors.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { findManageableModel } from './find-manageable-model.ts'
import { modelConfigAad } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { AccountPool } from './account-pool.port.ts'
import { ModelProbe, PROBE_TIMEOUT_MS, type ProbeResult } from './model-probe.ts'

/**
 * POST /models/:id/test: a minimal real call with the stored key, or, for a system model without
 * one, through the best account of its pool (with that account's token, proxy and endpoint).
 * A provider failure is an answer (ok: false with its status and error code, never the upstream's
 * body), not an error of this endpoint; a personal model whose endpoint the outbound address policy
 * refuses is one (403 OUTBOUND_ADDRESS_REFUSED).
 */
@injectable()
export class TestModelConfig {
  constructor(
    @inject(ModelConfigRepository) private readonly configs: ModelConfigRepository,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(ModelProbe) private readonly probe: ModelProbe,
    @inject(AccountPool) private readonly accounts?: AccountPool,
  ) {}

  async execute({ actor, configId }: { actor: Actor; configId: string }): Promise<ProbeResult> {
    const config = await findManageableModel(this.configs, actor, configId)
    if (config.credential) return this.probe.run(config, this.box.open(config.credential.ciphertext, modelConfigAad(config.id)))
    const [account] = config.ownerId === null && this.accounts ? await this.accounts.candidatesFor(config, {}) : []
    if (!account) return this.probe.run(config, '')
    let secret: string
    try {
      secret = account.token ? await account.token() : account.apiKey
    } catch (error) {
      // No usable token (needs re-authorization, token endpoint down): that is the test's answer.
      if (!(error instanceof AppError)) throw error
      return { ok: false, latencyMs: 0, error: { code: 'PROVIDER_AUTH_FAILED', message: error.message, status: 0 } }
    }
    return this.probe.run(config, secret, PROBE_TIMEOUT_MS, account)
  }
}
