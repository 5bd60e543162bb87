import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { NewRefreshToken, RefreshTokenRecord, RefreshTokenRepository, Rotation } from '../refresh-token.repository.port.ts'

const RECORD = { id: true, userId: true, tokenHash: true, familyId: true, expiresAt: true, usedAt: true, revokedAt: true } as const

@injectable()
export class PrismaRefreshTokenRepository implements RefreshTokenRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(record: NewRefreshToken): Promise<void> {
    await this.db.client.refreshToken.create({ data: record })
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.db.client.refreshToken.findUnique({
      where: { tokenHash },
      select: RECORD,
    })
  }

  async rotate(previousId: string, next: NewRefreshToken, at: Date): Promise<Rotation> {
    // One transaction: the previous token is marked used and its successor stored together, so a
    // racing refresh never sees a used token without its successor. The conditional update is the
    // arbiter on both databases: PostgreSQL makes a racing UPDATE wait for the winner's row lock and
    // re-check the condition after the commit (count 0); SQLite runs one write transaction at a time.
    // The loser's reads are in its own transaction, after that commit, so they see the successor.
    return this.db.client.$transaction(async (tx) => {
      const { count } = await tx.refreshToken.updateMany({
        where: { id: previousId, usedAt: null, revokedAt: null },
        data: { usedAt: at },
      })
      if (count === 1) {
        await tx.refreshToken.create({ data: next })
        return { rotated: true } as const
      }
      const current = await tx.refreshToken.findUnique({ where: { id: previousId }, select: RECORD })
      const successor = await tx.refreshToken.findUnique({ where: { tokenHash: next.tokenHash }, select: RECORD })
      return { rotated: false, current, successor } as const
    })
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.revokeWhere({ familyId }, at)
  }

  async revokeAllForUser(userId: string, at: Date): Promise<void> {
    await this.revokeWhere({ userId }, at)
  }

  private async revokeWhere(where: { familyId: string } | { userId: string }, at: Date): Promise<void> {
    const revoke = () => this.db.client.refreshToken.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: at } })
    await revoke()
    // PostgreSQL (READ COMMITTED): when a rotation held the row lock of a token of the family, the
    // UPDATE above waited for it and revoked that token, but its snapshot predates the successor the
    // rotation inserted. A second statement sees the successor, so a revoked login stays revoked.
    if (this.db.kind === 'postgres') await revoke()
  }

  async isFamilyActive(familyId: string, at: Date): Promise<boolean> {
    const live = await this.db.client.refreshToken.findFirst({
      where: { familyId, revokedAt: null, expiresAt: { gt: at } },
      select: { id: true },
    })
    return live !== null
  }

  async familyActiveUntil(familyId: string): Promise<Date | null> {
    const { _max } = await this.db.client.refreshToken.aggregate({ where: { familyId, revokedAt: null }, _max: { expiresAt: true } })
    return _max.expiresAt
  }
}
