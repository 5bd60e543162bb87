import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import type { ApiKeyAuthenticator, KeyPrincipal } from '../relay/api-key-authenticator.port.ts'
import { KeySecrets } from './key-secrets.port.ts'
import { InvalidPlatformKey } from './keys.errors.ts'
import { looksLikeSecret, needsTouch, refusalOf, TOUCH_INTERVAL_MS } from './platform-key.ts'
import { PlatformKeyRepository } from './platform-key.repository.port.ts'

/**
 * The keys slice's ApiKeyAuthenticator: HMAC of the presented secret, one indexed lookup (current
 * or grace hash, with the owner), then the checks. lastUsedAt is written at most once a minute.
 */
@injectable()
export class AuthenticatePlatformKey implements ApiKeyAuthenticator {
  constructor(
    @inject(PlatformKeyRepository) private readonly keys: PlatformKeyRepository,
    @inject(KeySecrets) private readonly secrets: KeySecrets,
    @inject(Clock) private readonly clock: Clock,
    @inject(Log) private readonly log: Logger,
  ) {}

  async authenticate(secret: string): Promise<KeyPrincipal> {
    if (!looksLikeSecret(secret)) throw new InvalidPlatformKey()
    const match = await this.keys.findBySecretHash(this.secrets.hash(secret))
    if (!match) throw new InvalidPlatformKey()
    const now = this.clock.now()
    const refusal = refusalOf(match, now)
    if (refusal) throw new InvalidPlatformKey(refusal)

    const { key, owner } = match
    if (needsTouch(key, now)) {
      // Usage bookkeeping must never refuse a valid key.
      await this.keys
        .touch(key.id, now, new Date(now.getTime() - TOUCH_INTERVAL_MS))
        .catch((err: unknown) => this.log.warn({ err, keyId: key.id }, 'could not record API key use'))
    }
    return {
      actor: { userId: owner.id, username: owner.username, role: owner.role, apiKeyId: key.id },
      keyId: key.id,
      allowedModels: [...key.allowedModels],
      limits: { ...key.limits },
    }
  }
}
