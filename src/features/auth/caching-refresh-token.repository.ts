import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { Clock } from '../../shared/clock.port.ts'
import { InvalidatedCache, type CacheLimits } from '../../shared/invalidated-cache.ts'
import type { NewRefreshToken, RefreshTokenRecord, RefreshTokenRepository, Rotation } from './refresh-token.repository.port.ts'

/** Invalidation topic of refresh-token families; ids are family ids (null: every family). */
export const REFRESH_FAMILIES_TOPIC = 'refresh-families'

export const DEFAULT_FAMILY_CACHE: CacheLimits = { maxAgeMs: 60_000, maxEntries: 20_000 }

/**
 * Keeps the per-request "is this login still alive?" check of every access token in memory: the
 * family's latest expiry, compared with the clock on every call. Correct, not just recent: every
 * write that can change it (login, rotation, logout, revoking a user's sessions) publishes an
 * invalidation that every replica applies before its next check.
 */
export class CachingRefreshTokenRepository implements RefreshTokenRepository {
  private readonly activeUntil: InvalidatedCache<Date | null>

  constructor(
    private readonly inner: RefreshTokenRepository,
    private readonly invalidation: CacheInvalidation,
    clock: Clock,
    options: CacheLimits = DEFAULT_FAMILY_CACHE,
  ) {
    this.activeUntil = new InvalidatedCache({ ...options, now: () => clock.now().getTime() })
    invalidation.subscribe(REFRESH_FAMILIES_TOPIC, (ids) => this.activeUntil.drop((_, family) => ids === null || ids.includes(family)))
  }

  async isFamilyActive(familyId: string, at: Date): Promise<boolean> {
    const until = await this.familyActiveUntil(familyId)
    return until !== null && until > at
  }

  familyActiveUntil(familyId: string): Promise<Date | null> {
    return this.activeUntil.get(familyId, () => this.inner.familyActiveUntil(familyId))
  }

  async create(record: NewRefreshToken): Promise<void> {
    await this.inner.create(record)
    await this.invalidation.publish(REFRESH_FAMILIES_TOPIC, [record.familyId])
  }

  async rotate(previousId: string, next: NewRefreshToken, at: Date): Promise<Rotation> {
    const rotation = await this.inner.rotate(previousId, next, at)
    await this.invalidation.publish(REFRESH_FAMILIES_TOPIC, [next.familyId])
    return rotation
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.inner.revokeFamily(familyId, at)
    await this.invalidation.publish(REFRESH_FAMILIES_TOPIC, [familyId])
  }

  async revokeAllForUser(userId: string, at: Date): Promise<void> {
    await this.inner.revokeAllForUser(userId, at)
    // Rare (password change, reset, disabling): dropping every cached family is cheaper than listing the user's.
    await this.invalidation.publish(REFRESH_FAMILIES_TOPIC, null)
  }

  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.inner.findByHash(tokenHash)
  }
}
