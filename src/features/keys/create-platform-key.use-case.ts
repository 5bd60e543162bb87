import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { ValidationFailed } from '../../shared/errors.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { ModelCatalog } from '../models/model-catalog.port.ts'
import type { Limits } from '../usage/limits.ts'
import { KeySecrets } from './key-secrets.port.ts'
import { publicKey, type PublicPlatformKey } from './platform-key.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

export interface CreatePlatformKeyInput {
  actor: Actor
  name: string
  expiresAt?: Date
  allowedModels?: string[]
  limits?: Limits
}

/** The new key and its secret: the only time the secret is ever shown. */
export interface IssuedKey {
  key: PublicPlatformKey
  secret: string
}

@injectable()
export class CreatePlatformKey {
  constructor(
    @inject(PlatformKeyRepository) private readonly keys: PlatformKeyRepository,
    @inject(KeySecrets) private readonly secrets: KeySecrets,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(ModelCatalog) private readonly models: ModelCatalog,
  ) {}

  async execute({ actor, name, expiresAt, allowedModels = [], limits = {} }: CreatePlatformKeyInput): Promise<IssuedKey> {
    const now = this.clock.now()
    if (expiresAt && expiresAt <= now) {
      throw new ValidationFailed('"expiresAt" must be in the future', [{ location: 'json', path: 'expiresAt', message: 'must be in the future' }])
    }
    await this.checkAllowedModels(actor, allowedModels)
    const { secret, prefix } = this.secrets.generate()
    const key = await this.keys.create({
      id: this.ids.next(),
      ownerId: actor.userId,
      name: name.trim(),
      prefix,
      hash: this.secrets.hash(secret),
      allowedModels: [...new Set(allowedModels)],
      limits,
      expiresAt: expiresAt ?? null,
    })
    await this.audit.record({
      actorId: actor.userId,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: key.id,
      metadata: { name: key.name, prefix, expiresAt: expiresAt?.toISOString() ?? null, allowedModels: key.allowedModels, limits },
    })
    return { key: publicKey(key, now), secret }
  }

  /** Every entry names, by id or alias, a model the owner may use: their own or a visible system model. */
  private async checkAllowedModels(actor: Actor, allowedModels: readonly string[]): Promise<void> {
    if (allowedModels.length === 0) return
    const referable = await this.models.referableBy(actor)
    const known = new Set(referable.flatMap((m) => (m.alias ? [m.id, m.alias] : [m.id])))
    const problems = allowedModels.flatMap((name, i) =>
      known.has(name) ? [] : [{ location: 'json', path: `allowedModels.${i}`, message: 'not the id or alias of a model you may use' }],
    )
    if (problems.length) throw new ValidationFailed('"allowedModels" names models you may not use or that do not exist', problems)
  }
}
