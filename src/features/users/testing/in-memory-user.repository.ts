import { NotFound } from '../../../shared/errors.ts'
import type { UserPage, UserRepository } from '../user.repository.port.ts'
import type { NewUser, User, UserChanges, UserWithSecret } from '../user.ts'
import { LastAdminError, UsernameTaken } from '../users.errors.ts'

const isEnabledAdmin = (u: User) => u.role === 'ADMIN' && !u.disabled

export class InMemoryUserRepository implements UserRepository {
  private readonly users = new Map<string, UserWithSecret>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  async findById(id: string) {
    const user = this.users.get(id)
    return user ? { ...user } : null
  }

  async findByUsername(username: string) {
    const user = [...this.users.values()].find((u) => u.username === username)
    return user ? { ...user } : null
  }

  async create(input: NewUser): Promise<User> {
    if (await this.findByUsername(input.username)) throw new UsernameTaken(input.username)
    const now = this.now()
    const user: UserWithSecret = {
      ...input,
      disabled: false,
      mustChangePassword: input.mustChangePassword ?? false,
      tokenVersion: 0,
      createdAt: now,
      updatedAt: now,
    }
    this.users.set(user.id, user)
    return strip(user)
  }

  async update(id: string, changes: UserChanges): Promise<User> {
    const current = this.users.get(id)
    if (!current) throw new NotFound('User')
    const { revokeTokens, ...fields } = changes
    const next: UserWithSecret = {
      ...current,
      ...fields,
      tokenVersion: current.tokenVersion + (revokeTokens ? 1 : 0),
      updatedAt: this.now(),
    }
    this.guardLastAdmin(current, next)
    this.users.set(id, next)
    return strip(next)
  }

  async delete(id: string): Promise<void> {
    const current = this.users.get(id)
    if (!current) throw new NotFound('User')
    this.guardLastAdmin(current, null)
    this.users.delete(id)
  }

  async list({ search, offset, limit }: { search?: string; offset: number; limit: number }): Promise<UserPage> {
    const matching = [...this.users.values()]
      .filter((u) => !search || u.username.includes(search.toLowerCase()))
      .sort((a, b) => a.username.localeCompare(b.username))
    return { items: matching.slice(offset, offset + limit).map(strip), total: matching.length }
  }

  async count() {
    return this.users.size
  }

  async countEnabledAdmins() {
    return [...this.users.values()].filter(isEnabledAdmin).length
  }

  private guardLastAdmin(before: User, after: User | null) {
    if (!isEnabledAdmin(before) || (after && isEnabledAdmin(after))) return
    const others = [...this.users.values()].filter((u) => u.id !== before.id && isEnabledAdmin(u))
    if (others.length === 0) throw new LastAdminError()
  }
}

function strip({ passwordHash: _hash, ...user }: UserWithSecret): User {
  return { ...user }
}
