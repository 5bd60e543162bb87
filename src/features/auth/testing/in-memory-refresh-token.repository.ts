import type { RefreshTokenRecord, RefreshTokenRepository } from '../refresh-token.repository.port.ts'

export class InMemoryRefreshTokenRepository implements RefreshTokenRepository {
  readonly records = new Map<string, RefreshTokenRecord>()

  async create(record: Pick<RefreshTokenRecord, 'id' | 'userId' | 'tokenHash' | 'familyId' | 'expiresAt'>) {
    this.records.set(record.id, { ...record, usedAt: null, revokedAt: null })
  }

  async findByHash(tokenHash: string) {
    const found = [...this.records.values()].find((r) => r.tokenHash === tokenHash)
    return found ? { ...found } : null
  }

  async consume(id: string, at: Date) {
    const record = this.records.get(id)
    if (!record || record.usedAt || record.revokedAt) return false
    record.usedAt = at
    return true
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
}
