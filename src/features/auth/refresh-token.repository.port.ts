import { token } from '../../shared/di.ts'

export interface RefreshTokenRecord {
  id: string
  userId: string
  tokenHash: string
  familyId: string
  expiresAt: Date
  usedAt: Date | null
  revokedAt: Date | null
}

export interface RefreshTokenRepository {
  create(record: Pick<RefreshTokenRecord, 'id' | 'userId' | 'tokenHash' | 'familyId' | 'expiresAt'>): Promise<void>
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>
  /** Marks the token used if, and only if, nobody used or revoked it before. True when this call won. */
  consume(id: string, at: Date): Promise<boolean>
  revokeFamily(familyId: string, at: Date): Promise<void>
  revokeAllForUser(userId: string, at: Date): Promise<void>
  /** True while the family has a token that is neither revoked nor expired. */
  isFamilyActive(familyId: string, at: Date): Promise<boolean>
}
export const RefreshTokenRepository = token<RefreshTokenRepository>('RefreshTokenRepository')
