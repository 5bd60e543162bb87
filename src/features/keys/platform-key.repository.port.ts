import { token } from '../../shared/di.ts'
import type { KeyMatch, NewPlatformKey, PlatformKey } from './platform-key.ts'

export interface RotatedSecret {
  hash: string
  prefix: string
  /** Keep the current secret working until then (it becomes the grace secret); null = drop it now. */
  graceExpiresAt: Date | null
}

export interface PlatformKeyRepository {
  create(key: NewPlatformKey): Promise<PlatformKey>
  findById(id: string): Promise<PlatformKey | null>
  /** One indexed lookup by `hash` or `graceHash` (both unique), with the owner's state. */
  findBySecretHash(hash: string): Promise<KeyMatch | null>
  /** Newest first; every owner's when ownerId is absent. */
  list(query: { ownerId?: string; offset: number; limit: number }): Promise<{ items: PlatformKey[]; total: number }>
  /** Sets revokedAt unless already set; true when this call revoked it. */
  revoke(id: string, at: Date): Promise<boolean>
  /**
   * One atomic change: the new secret's hash replaces the current one, which becomes the grace
   * secret (or is dropped); an older grace secret is dropped. null when the key does not exist, is
   * revoked, or was rotated concurrently (the caller retries or reports a conflict).
   */
  rotate(id: string, next: RotatedSecret): Promise<PlatformKey | null>
  /** Sets lastUsedAt = at when it is unset or not after `notBefore` (so concurrent requests write once). */
  touch(id: string, at: Date, notBefore: Date): Promise<void>
}
export const PlatformKeyRepository = token<PlatformKeyRepository>('PlatformKeyRepository')
