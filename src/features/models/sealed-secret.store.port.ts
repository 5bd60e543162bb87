import { token } from '../../shared/di.ts'
import type { Sealed } from '../../shared/crypto/secret-box.port.ts'

/**
 * Every place a sealed secret lives: a model config's key, a pooled credential of a system model,
 * an upstream account's secret (its API key or OAuth token set), and an upstream account's proxy URL.
 */
export type SecretKind = 'model-config' | 'provider-credential' | 'upstream-account' | 'upstream-account-proxy'
export const SECRET_KINDS: readonly SecretKind[] = ['model-config', 'provider-credential', 'upstream-account', 'upstream-account-proxy']

export interface SecretRef {
  kind: SecretKind
  id: string
}

export interface StoredSecret extends SecretRef {
  ciphertext: string
  keyId: string
}

export interface SecretQuery {
  /** Only secrets sealed under another key than this one. */
  excludeKeyId?: string
  /** Keyset paging: only secrets after this one in (kind, id) order. */
  after?: SecretRef
  limit: number
}

export interface Reseal {
  ref: SecretRef
  /** The ciphertext that was read; the write happens only if it is still the stored value. */
  expected: string
  next: Sealed
}

/** The side of the secret store that master-key rotation needs, across every table holding secrets. */
export interface SealedSecretStore {
  /** Sealed secrets in (kind, id) order; rows without a secret are skipped. */
  list(query: SecretQuery): Promise<StoredSecret[]>
  /**
   * A compare-and-set per item (a batch need not be one transaction): a value changed since it was
   * read (a concurrent RotateApiKey) is left alone. Returns, per item, whether it was replaced.
   */
  resealMany(items: Reseal[]): Promise<boolean[]>
  /** How many stored secrets each key id seals. */
  countByKeyId(): Promise<Record<string, number>>
}
export const SealedSecretStore = token<SealedSecretStore>('SealedSecretStore')

/** Compares refs in the store's (kind, id) order. */
export function compareRefs(a: SecretRef, b: SecretRef): number {
  if (a.kind !== b.kind) return SECRET_KINDS.indexOf(a.kind) - SECRET_KINDS.indexOf(b.kind)
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
