import { token } from '../../shared/di.ts'

/**
 * Makes refresh-token values. A new login gets a random one. A rotation gets the presented token's
 * one successor: the same value for every caller that presents the same token, and one that nobody
 * can compute without the server's key (the database keeps only hashes of either).
 */
export interface RefreshTokenMint {
  fresh(): string
  successorOf(presented: string): string
}
export const RefreshTokenMint = token<RefreshTokenMint>('RefreshTokenMint')
