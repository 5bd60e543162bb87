import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { Conflict } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import type { IssuedKey } from './create-platform-key.use-case.ts'
import { KeySecrets } from './key-secrets.port.ts'
import { PlatformKeyNotFound } from './keys.errors.ts'
import { MAX_GRACE_SECONDS, publicKey, statusOf } from './platform-key.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

export interface RotatePlatformKeyInput {
  actor: Actor
  keyId: string
  /** How long the current secret keeps working (0..7 days, default 0: it stops at once). */
  graceSeconds?: number
}

/**
 * Owner only: a new secret for the same key (id, name, limits and usage history stay). The current
 * secret keeps working for the grace period; a secret from an earlier rotation stops now.
 */
@injectable()
export class RotatePlatformKey {
  constructor(
    @inject(PlatformKeyRepository) private readonly keys: PlatformKeyRepository,
    @inject(KeySecrets) private readonly secrets: KeySecrets,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, keyId, graceSeconds = 0 }: RotatePlatformKeyInput): Promise<IssuedKey> {
    const key = await this.keys.findById(keyId)
    if (!key || key.ownerId !== actor.userId) throw new PlatformKeyNotFound()
    const now = this.clock.now()
    const status = statusOf(key, now)
    if (status !== 'active') throw new Conflict(`This API key is ${status} and cannot be rotated; create a new one`)

    const grace = Math.min(Math.max(0, Math.floor(graceSeconds)), MAX_GRACE_SECONDS)
    const { secret, prefix } = this.secrets.generate()
    const graceExpiresAt = grace > 0 ? new Date(now.getTime() + grace * 1000) : null
    const rotated = await this.keys.rotate(keyId, { hash: this.secrets.hash(secret), prefix, graceExpiresAt })
    if (!rotated) throw new Conflict('This API key changed meanwhile (revoked or rotated); reload and try again')
    await this.audit.record({
      actorId: actor.userId,
      action: 'api_key.rotated',
      targetType: 'api_key',
      targetId: keyId,
      metadata: { name: key.name, previousPrefix: key.prefix, prefix, graceSeconds: grace },
    })
    return { key: publicKey(rotated, now), secret }
  }
}
