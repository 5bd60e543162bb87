import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { NewUser, User, UserChanges, UserWithSecret } from './user.ts'
import { USERS_TOPIC, type UserPage, type UserRepository } from './user.repository.port.ts'

/** The user repository that tells other caches (on every replica) when a user changed or went. */
export class AnnouncingUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly invalidation: CacheInvalidation,
  ) {}

  async update(id: string, changes: UserChanges): Promise<User> {
    const user = await this.inner.update(id, changes)
    await this.invalidation.publish(USERS_TOPIC, [id])
    return user
  }

  async delete(id: string): Promise<void> {
    await this.inner.delete(id)
    await this.invalidation.publish(USERS_TOPIC, [id])
  }

  findById(id: string): Promise<UserWithSecret | null> {
    return this.inner.findById(id)
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
