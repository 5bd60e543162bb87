import type { DependencyContainer } from 'tsyringe'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { bindFactory, resolve } from '../../shared/di.ts'
import { PrismaUserRepository } from './adapters/prisma-user.repository.ts'
import { Clock } from '../../shared/clock.port.ts'
import { AnnouncingUserRepository } from './announcing-user.repository.ts'
import { CachingUserRepository } from './caching-user.repository.ts'
import { UserRepository } from './user.repository.port.ts'

/** Binds the user repository: every write announced, and (`cache`) users cached by id. Needs Database, CacheInvalidation and Clock. */
export function registerUsers(c: DependencyContainer, options: { cache: boolean }): void {
  bindFactory(c, UserRepository, (inner) => {
    const invalidation = resolve(inner, CacheInvalidation)
    const announcing = new AnnouncingUserRepository(inner.resolve(PrismaUserRepository), invalidation)
    return options.cache ? new CachingUserRepository(announcing, invalidation, resolve(inner, Clock)) : announcing
  })
}
