import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { Clock } from '../../shared/clock.port.ts'
import { deepFreeze } from '../../shared/deep-freeze.ts'
import { InvalidatedCache } from '../../shared/invalidated-cache.ts'
import { USERS_TOPIC } from '../users/user.repository.port.ts'
import type { KeyMatch, NewPlatformKey, PlatformKey } from './platform-key.ts'
import type { PlatformKeyRepository, RotatedSecret } from './platform-key.repository.port.ts'

/** Invalidation topic of platform keys; ids are key ids. */
export const PLATFORM_KEYS_TOPIC = 'platform-keys'

export interface KeyCacheOptions {
  /** Safety net for a lost invalidation message (see InvalidatedCache). */
  maxAgeMs: number
  maxEntries: number
}
export const DEFAULT_KEY_CACHE: KeyCacheOptions = { maxAgeMs: 60_000, maxEntries: 10_000 }

/**
 * Keeps the relay's per-request key lookup (key + owner, by secret hash) in memory. Correct, not
 * just recent: revoking or rotating a key (here) and changing or deleting its owner (users slice)
 * publish invalidations that every replica applies before its next lookup; expiry and grace ends
 * are checked against the clock on every request by AuthenticatePlatformKey, cached or not.
 * Unknown secrets are not cached, so a flood of wrong keys cannot push out the real ones.
 */
export class CachingPlatformKeyRepository implements PlatformKeyRepository {
  private readonly matches: InvalidatedCache<KeyMatch | null>

  constructor(
    private readonly inner: PlatformKeyRepository,
    private readonly invalidation: CacheInvalidation,
    clock: Clock,
    options: KeyCacheOptions = DEFAULT_KEY_CACHE,
  ) {
    this.matches = new InvalidatedCache({ ...options, keep: (match) => match !== null, now: () => clock.now().getTime() })
    invalidation.subscribe(PLATFORM_KEYS_TOPIC, (ids) => this.matches.drop((m) => ids === null || ids.includes(m!.key.id)))
    invalidation.subscribe(USERS_TOPIC, (ids) => this.matches.drop((m) => ids === null || ids.includes(m!.owner.id)))
  }

  findBySecretHash(hash: string): Promise<KeyMatch | null> {
    return this.matches.get(hash, async () => deepFreeze(await this.inner.findBySecretHash(hash)))
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const revoked = await this.inner.revoke(id, at)
    await this.invalidation.publish(PLATFORM_KEYS_TOPIC, [id])
    return revoked
  }

  async rotate(id: string, next: RotatedSecret): Promise<PlatformKey | null> {
    const rotated = await this.inner.rotate(id, next)
    await this.invalidation.publish(PLATFORM_KEYS_TOPIC, [id])
    return rotated
  }

  async touch(id: string, at: Date, notBefore: Date): Promise<void> {
    await this.inner.touch(id, at, notBefore)
    // Only drives "write lastUsedAt at most once a minute": without it every request would write.
    this.matches.update(
      (m) => m!.key.id === id,
      (m) => deepFreeze({ ...m!, key: { ...m!.key, lastUsedAt: at } }),
    )
  }

  create(key: NewPlatformKey): Promise<PlatformKey> {
    return this.inner.create(key)
  }

  findById(id: string): Promise<PlatformKey | null> {
    return this.inner.findById(id)
  }

  list(query: { ownerId?: string; offset: number; limit: number }): Promise<{ items: PlatformKey[]; total: number }> {
    return this.inner.list(query)
  }
}
