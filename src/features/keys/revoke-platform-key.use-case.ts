import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { PlatformKeyNotFound } from './keys.errors.ts'
import { canRevoke } from './platform-key.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

/** Owner or admin: the key (and any grace secret) stops working at once. Revoking twice is a no-op. */
@injectable()
export class RevokePlatformKey {
  constructor(
    @inject(PlatformKeyRepository) private readonly keys: PlatformKeyRepository,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute({ actor, keyId }: { actor: Actor; keyId: string }): Promise<void> {
    const key = await this.keys.findById(keyId)
    if (!key || !canRevoke(actor, key)) throw new PlatformKeyNotFound() // no existence leak
    if (!(await this.keys.revoke(keyId, this.clock.now()))) return
    await this.audit.record({
      actorId: actor.userId,
      action: 'api_key.revoked',
      targetType: 'api_key',
      targetId: keyId,
      metadata: { name: key.name, prefix: key.prefix, ownerId: key.ownerId },
    })
  }
}
