import type { NewRefreshToken, RefreshTokenRecord, RefreshTokenRepository, Rotation } from '../refresh-token.repository.port.ts'

export class InMemoryRefreshTokenRepository implements RefreshTokenRepository {
  readonly records = new Map<string, RefreshTokenRecord>()

  async create(record: NewRefreshToken) {
    if ([...this.records.values()].some((r) => r.tokenHash === record.tokenHash)) throw new Error('tokenHash must be unique')
    this.records.set(record.id, { ...record, usedAt: null, revokedAt: null })
  }

  async findByHash(tokenHash: string) {
    const found = [...this.records.values()].find((r) => r.tokenHash === tokenHash)
    return found ? { ...found } : null
  }

  async rotate(previousId: string, next: NewRefreshToken, at: Date): Promise<Rotation> {
    // No await before the write: one call runs to completion before a racing one starts.
    const previous = this.records.get(previousId)
    if (previous && !previous.usedAt && !previous.revokedAt) {
      previous.usedAt = at
      await this.create(next)
      return { rotated: true }
    }
    return { rotated: false, current: previous ? { ...previous } : null, successor: await this.findByHash(next.tokenHash) }
  }

  async revokeFamily(familyId: string, at: Date) {
    for (const r of this.records.values()) if (r.familyId === familyId && !r.revokedAt) r.revokedAt = at
  }

  async revokeAllForUser(userId: string, at: Date) {
    for (const r of this.records.values()) if (r.userId === userId && !r.revokedAt) r.revokedAt = at
  }

  async isFamilyActive(familyId: string, at: Date) {
    return [...this.records.values()].some((r) => r.familyId === familyId && !r.revokedAt && r.expiresAt > at)
  }

  async familyActiveUntil(familyId: string) {
    const live = [...this.records.values()].filter((r) => r.familyId === familyId && !r.revokedAt)
    return live.length === 0 ? null : new Date(Math.max(...live.map((r) => r.expiresAt.getTime())))
  }
}
