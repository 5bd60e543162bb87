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

export type NewRefreshToken = Pick<RefreshTokenRecord, 'id' | 'userId' | 'tokenHash' | 'familyId' | 'expiresAt'>

/**
 * What one attempt to rotate a token found. `rotated`: this call marked the previous token used and
 * stored the successor, both or neither. Otherwise nothing was written, and the state is read in the
 * same transaction, after any rotation that beat this one has committed: the previous token as it is
 * now (null when unknown) and the stored token with the successor's hash, if there is one.
 */
export type Rotation =
  | { rotated: true }
  | { rotated: false; current: RefreshTokenRecord | null; successor: RefreshTokenRecord | null }

export interface RefreshTokenRepository {
  create(record: NewRefreshToken): Promise<void>
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | null>
  /**
   * Atomically, across processes: if, and only if, `previousId` is neither used nor revoked, marks it
   * used at `at` and stores `next`. Of any number of racing calls exactly one rotates.
   */
  rotate(previousId: string, next: NewRefreshToken, at: Date): Promise<Rotation>
  revokeFamily(familyId: string, at: Date): Promise<void>
  revokeAllForUser(userId: string, at: Date): Promise<void>
  /** True while the family has a token that is neither revoked nor expired. */
  isFamilyActive(familyId: string, at: Date): Promise<boolean>
  /** The latest expiry of the family's tokens that are not revoked; null when there is none. */
  familyActiveUntil(familyId: string): Promise<Date | null>
}
export const RefreshTokenRepository = token<RefreshTokenRepository>('RefreshTokenRepository')
