import { inject, injectable } from 'tsyringe'
import { Database } from '../../../shared/infra/database/database.ts'
import type { RefreshTokenRecord, RefreshTokenRepository } from '../refresh-token.repository.port.ts'

@injectable()
export class PrismaRefreshTokenRepository implements RefreshTokenRepository {
  constructor(@inject(Database) private readonly db: Database) {}

  async create(record: Pick<RefreshTokenRecord, 'id' | 'userId' | 'tokenHash' | 'familyId' | 'expiresAt'>): Promise<void> {
    await this.db.client.refreshToken.create({ data: record })
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | null> {
    return this.db.client.refreshToken.findUnique({
      where: { tokenHash },
      select: { id: true, userId: true, tokenHash: true, familyId: true, expiresAt: true, usedAt: true, revokedAt: true },
    })
  }

  async consume(id: string, at: Date): Promise<boolean> {
    // A conditional update is atomic on both databases: only one of two racing refreshes matches.
    const { count } = await this.db.client.refreshToken.updateMany({
      where: { id, usedAt: null, revokedAt: null },
      data: { usedAt: at },
    })
    return count === 1
  }

  async revokeFamily(familyId: string, at: Date): Promise<void> {
    await this.db.client.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: at } })
  }

  async revokeAllForUser(userId: string, at: Date): Promise<void> {
    await this.db.client.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: at } })
  }

  async isFamilyActive(familyId: string, at: Date): Promise<boolean> {
    const live = await this.db.client.refreshToken.findFirst({
      where: { familyId, revokedAt: null, expiresAt: { gt: at } },
      select: { id: true },
    })
    return live !== null
  }
}
