import { inject, injectable } from 'tsyringe'
import type { User as UserRow } from '../../../generated/sqlite/client.ts'
import { NotFound } from '../../../shared/errors.ts'
import { Database } from '../../../shared/infra/database/database.ts'
import { isRecordMissing, isUniqueViolation } from '../../../shared/infra/database/prisma-errors.ts'
import type { UserPage, UserRepository } from '../user.repository.port.ts'
import type { NewUser, Role, User, UserChanges, UserWithSecret } from '../user.ts'
import { LastAdminError, UsernameTaken } from '../users.errors.ts'

type Tx = Parameters<Parameters<Database['client']['$transaction']>[0]>[0]

const ENABLED_ADMIN = { role: 'ADMIN', disabled: false } as const

@injectable()
export class PrismaUserRepository implements UserRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async findById(id: string): Promise<UserWithSecret | null> {
    const row = await this.db.client.user.findUnique({ where: { id } })
    return row ? toUserWithSecret(row) : null
  }

  async findByUsername(username: string): Promise<UserWithSecret | null> {
    const row = await this.db.client.user.findUnique({ where: { username } })
    return row ? toUserWithSecret(row) : null
  }

  async create(user: NewUser): Promise<User> {
    try {
      const row = await this.db.client.user.create({
        data: { ...user, mustChangePassword: user.mustChangePassword ?? false },
      })
      return toUser(row)
    } catch (err) {
      if (isUniqueViolation(err)) throw new UsernameTaken(user.username)
      throw err
    }
  }

  async update(id: string, changes: UserChanges): Promise<User> {
    const { revokeTokens, ...fields } = changes
    return this.guarded(id, async (tx) => {
      const row = await tx.user.update({
        where: { id },
        data: { ...fields, ...(revokeTokens ? { tokenVersion: { increment: 1 } } : {}) },
      })
      return toUser(row)
    })
  }

  async delete(id: string): Promise<void> {
    await this.guarded(id, (tx) => tx.user.delete({ where: { id } }))
  }

  async list({ search, offset, limit }: { search?: string; offset: number; limit: number }): Promise<UserPage> {
    const where = search ? { username: { contains: search.toLowerCase() } } : {}
    const [rows, total] = await this.db.client.$transaction([
      this.db.client.user.findMany({ where, orderBy: { username: 'asc' }, skip: offset, take: limit }),
      this.db.client.user.count({ where }),
    ])
    return { items: rows.map(toUser), total }
  }

  count(): Promise<number> {
    return this.db.client.user.count()
  }

  countEnabledAdmins(): Promise<number> {
    return this.db.client.user.count({ where: ENABLED_ADMIN })
  }

  /** Runs a change in a transaction that rolls back if it takes away the last enabled admin. */
  private async guarded<T>(id: string, change: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.client.$transaction(async (tx) => {
        if (this.db.kind === 'postgres') {
          // Serialises concurrent demotions: without the lock two admins could demote each other at once.
          await tx.$queryRaw`SELECT id FROM "User" WHERE role = 'ADMIN' AND disabled = false FOR UPDATE`
        }
        const before = await tx.user.findUnique({ where: { id }, select: { role: true, disabled: true } })
        if (!before) throw new NotFound('User')
        const result = await change(tx)
        const wasEnabledAdmin = before.role === 'ADMIN' && !before.disabled
        if (wasEnabledAdmin && (await tx.user.count({ where: ENABLED_ADMIN })) === 0) throw new LastAdminError()
        return result
      })
    } catch (err) {
      if (isRecordMissing(err)) throw new NotFound('User')
      throw err
    }
  }
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role as Role,
    disabled: row.disabled,
    mustChangePassword: row.mustChangePassword,
    tokenVersion: row.tokenVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }
}

const toUserWithSecret = (row: UserRow): UserWithSecret => ({ ...toUser(row), passwordHash: row.passwordHash })
