import type { DependencyContainer } from 'tsyringe'
import { bindClass } from '../../shared/di.ts'
import { PrismaUserRepository } from './adapters/prisma-user.repository.ts'
import { UserRepository } from './user.repository.port.ts'

export function registerUsers(c: DependencyContainer): void {
  bindClass(c, UserRepository, PrismaUserRepository)
}
