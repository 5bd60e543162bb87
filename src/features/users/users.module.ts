import type { DependencyContainer } from 'tsyringe'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { bindFactory, resolve } from '../../shared/di.ts'
import { PrismaUserRepository } from './adapters/prisma-user.repository.ts'
import { AnnouncingUserRepository } from './announcing-user.repository.ts'
import { UserRepository } from './user.repository.port.ts'

/** Binds the user repository. Needs Database and CacheInvalidation. */
export function registerUsers(c: DependencyContainer): void {
  bindFactory(c, UserRepository, (inner) => new AnnouncingUserRepository(inner.resolve(PrismaUserRepository), resolve(inner, CacheInvalidation)))
}
