import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { CredentialHealth, type CooldownState } from './credential-health.port.ts'
import { cooldownFor, healthKeyOf, laterOf, orderForUse, OWN_KEY_WEIGHT, PoolRandom, type CallFailure, type RandomSource } from './credential-pool.ts'
import type { CredentialCandidate } from './model-access.port.ts'
import { modelConfigAad, providerCredentialAad, type StoredModelConfig } from './model-config.ts'
import { ProviderCredentialRepository, type StoredProviderCredential } from './provider-credential.repository.port.ts'

interface Member {
  key: string
  credentialId: string | null
  weight: number
  cooldownUntilMs: number | null
  ciphertext: string
  aad: string
}

/**
 * Turns a model's keys (its own and, for a system model, its enabled pooled credentials) into the
 * ordered candidates of one request, and puts keys that failed on cooldown. Policy: credential-pool.ts.
 */
@injectable()
export class CredentialSelector {
  constructor(
    @inject(ProviderCredentialRepository) private readonly pool: ProviderCredentialRepository,
    @inject(CredentialHealth) private readonly health: CredentialHealth,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(Clock) private readonly clock: Clock,
    @inject(PoolRandom) private readonly random: RandomSource,
    @inject(Log) private readonly log: Logger,
  ) {}

  /**
   * Every key the request may try, decrypted, best first. A keyless model gets one candidate with
   * the key ''. A pooled key that cannot be opened is skipped (and logged) while another one can.
   */
  async candidatesFor(config: StoredModelConfig): Promise<CredentialCandidate[]> {
    const pooled = config.scope === 'system' ? (await this.pool.listForModel(config.id)).filter((c) => c.enabled) : []
    const own: Member[] = config.credential
      ? [{ key: healthKeyOf(config.id, null), credentialId: null, weight: OWN_KEY_WEIGHT, cooldownUntilMs: null, ciphertext: config.credential.ciphertext, aad: modelConfigAad(config.id) }]
      : []
    const members = [...own, ...pooled.map((c) => memberOf(config.id, c))]
    if (members.length === 0) return [{ credentialId: null, apiKey: '' }]
    if (members.length > 1) {
      // One key needs no order (and no round trip to the shared state).
      const live = await this.liveStates(members.map((m) => m.key))
      for (const m of members) m.cooldownUntilMs = laterOf(m.cooldownUntilMs, live.get(m.key)?.cooldownUntilMs ?? null)
    }
    return this.open(orderForUse(members, this.clock.now().getTime(), this.random))
  }

  /**
   * A candidate of this model failed: cool it down for as long as the failure says (nothing for a
   * failure that is not the key's fault). Fire-and-forget; the shared state and the persisted row
   * are written in the background and a failure to write is only logged.
   */
  reportFailure(modelConfigId: string, candidate: { credentialId: string | null }, failure: CallFailure): void {
    const cooldownMs = cooldownFor(failure)
    if (cooldownMs === null) return
    const { credentialId } = candidate
    const until = new Date(this.clock.now().getTime() + cooldownMs)
    this.log.warn({ modelConfigId, credentialId, status: failure.status, code: failure.code, cooldownMs }, 'provider credential cooling down')
    const warn = (err: unknown) => this.log.warn({ err, modelConfigId, credentialId }, 'could not record a credential cooldown')
    this.health.coolDown(healthKeyOf(modelConfigId, credentialId), until.getTime(), failure.status).catch(warn)
    if (credentialId !== null) this.pool.recordCooldown(credentialId, until, failure.status).catch(warn)
  }

  /** The live cooldowns by health key; a shared state that cannot be read counts as "all ready". */
  async liveStates(keys: string[]): Promise<Map<string, CooldownState>> {
    try {
      return await this.health.states(keys)
    } catch (err) {
      this.log.warn({ err }, 'could not read credential cooldowns; treating every key as ready')
      return new Map()
    }
  }

  private open(ordered: Member[]): CredentialCandidate[] {
    const candidates: CredentialCandidate[] = []
    const failures: { credentialId: string | null; err: unknown }[] = []
    for (const m of ordered) {
      try {
        candidates.push({ credentialId: m.credentialId, apiKey: this.box.open(m.ciphertext, m.aad) })
      } catch (err) {
        failures.push({ credentialId: m.credentialId, err })
      }
    }
    if (candidates.length === 0) throw failures[0]!.err
    for (const f of failures) this.log.error(f, 'a provider key cannot be decrypted; skipped')
    return candidates
  }
}

function memberOf(modelConfigId: string, c: StoredProviderCredential): Member {
  return {
    key: healthKeyOf(modelConfigId, c.id),
    credentialId: c.id,
    weight: c.weight,
    cooldownUntilMs: c.cooldownUntil?.getTime() ?? null,
    ciphertext: c.ciphertext,
    aad: providerCredentialAad(c.id),
  }
}
