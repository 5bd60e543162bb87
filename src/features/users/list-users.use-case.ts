import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { isAdmin } from '../../shared/actor.ts'
import { Forbidden } from '../../shared/errors.ts'
import { UserRepository } from './user.repository.port.ts'
import { publicUser, type PublicUser } from './user.ts'

export interface ListUsersInput {
  actor: Actor
  search?: string
  page: number
  pageSize: number
}

@injectable()
export class ListUsers {
  constructor(@inject(UserRepository) private readonly users: UserRepository) {}

  async execute({ actor, search, page, pageSize }: ListUsersInput): Promise<{ items: PublicUser[]; page: number; pageSize: number; total: number }> {
    if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
    const result = await this.users.list({ search, offset: (page - 1) * pageSize, limit: pageSize })
    return { items: result.items.map(publicUser), page, pageSize, total: result.total }
  }
}
