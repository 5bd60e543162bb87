import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { Clock } from '../../shared/clock.port.ts'
import { deepFreeze } from '../../shared/deep-freeze.ts'
import { InvalidatedCache, type CacheLimits } from '../../shared/invalidated-cache.ts'
import { USERS_TOPIC, type UserPage, type UserRepository } from './user.repository.port.ts'
import type { NewUser, User, UserChanges, UserWithSecret } from './user.ts'

export const DEFAULT_USER_CACHE: CacheLimits = { maxAgeMs: 60_000, maxEntries: 10_000 }

/**
 * Keeps users by id in memory: every authenticated request re-checks its user (disabled, role,
 * token version), and that check no longer reads the database. Correct, not just recent: `inner`
 * announces every update and delete on USERS_TOPIC (AnnouncingUserRepository), and every replica
 * drops its copy before its next check. Unknown ids are not kept.
 */
export class CachingUserRepository implements UserRepository {
  private readonly byId: InvalidatedCache<UserWithSecret | null>

  constructor(
    private readonly inner: UserRepository,
    invalidation: CacheInvalidation,
    clock: Clock,
    options: CacheLimits = DEFAULT_USER_CACHE,
  ) {
    this.byId = new InvalidatedCache({ ...options, keep: (user) => user !== null, now: () => clock.now().getTime() })
    invalidation.subscribe(USERS_TOPIC, (ids) => this.byId.drop((_, id) => ids === null || ids.includes(id)))
  }

  findById(id: string): Promise<UserWithSecret | null> {
    return this.byId.get(id, async () => deepFreeze(await this.inner.findById(id)))
  }

  update(id: string, changes: UserChanges): Promise<User> {
    return this.inner.update(id, changes)
  }

  delete(id: string): Promise<void> {
    return this.inner.delete(id)
  }

  findByUsername(username: string): Promise<UserWithSecret | null> {
    return this.inner.findByUsername(username)
  }

  create(user: NewUser): Promise<User> {
    return this.inner.create(user)
  }

  list(query: { search?: string; offset: number; limit: number }): Promise<UserPage> {
    return this.inner.list(query)
  }

  count(): Promise<number> {
    return this.inner.count()
  }

  countEnabledAdmins(): Promise<number> {
    return this.inner.countEnabledAdmins()
  }
}
