import { token } from '../../shared/di.ts'

/** A pooled provider key of a system model, as the platform sees it: never the key. */
export interface ProviderCredential {
  id: string
  modelConfigId: string
  label: string
  /** Last 4 characters of the key ('' when too short to spare them). */
  hint: string
  weight: number
  enabled: boolean
  /** Persisted copy of the last cooldown, for the admin view and restarts (best-effort, may lag). */
  cooldownUntil: Date | null
  lastStatus: number | null
  createdAt: Date
}

export interface StoredProviderCredential extends ProviderCredential {
  /** SecretBox output bound to `provider-credential:<id>`. */
  ciphertext: string
  keyId: string
}

export type NewProviderCredential = Omit<StoredProviderCredential, 'cooldownUntil' | 'lastStatus' | 'createdAt'>

export type ProviderCredentialChanges = Partial<Pick<ProviderCredential, 'label' | 'weight' | 'enabled'>>

export interface ProviderCredentialRepository {
  /** The model's pooled credentials, oldest first (enabled or not). */
  listForModel(modelConfigId: string): Promise<StoredProviderCredential[]>
  create(credential: NewProviderCredential): Promise<StoredProviderCredential>
  /** null when no credential with this id belongs to the model. */
  update(modelConfigId: string, id: string, changes: ProviderCredentialChanges): Promise<StoredProviderCredential | null>
  /** The removed credential, or null when no credential with this id belongs to the model. */
  delete(modelConfigId: string, id: string): Promise<StoredProviderCredential | null>
  /** Persists a cooldown for the admin view; a credential deleted meanwhile is ignored. */
  recordCooldown(id: string, cooldownUntil: Date, lastStatus: number): Promise<void>
}
export const ProviderCredentialRepository = token<ProviderCredentialRepository>('ProviderCredentialRepository')
