import { isAdmin, type Actor } from '../../shared/actor.ts'
import type { GenerationParams, ProviderKind } from '../providers/ai-provider.port.ts'

export type { ProviderKind }
/** personal: owned by one user, who alone sees and uses it. system: managed by admins, shared by visibility. */
export type ModelScope = 'personal' | 'system'
/** Who may use a system model besides admins: everyone, admins only, or the listed users. */
export type Visibility = 'all' | 'admins' | 'users'
export const VISIBILITIES: readonly Visibility[] = ['all', 'admins', 'users']

/** Sampling defaults applied to every request of the model unless the request says otherwise. */
export type DefaultParams = Omit<GenerationParams, 'maxOutputTokens'>

/** A model configuration as the rest of the platform sees it: never any secret. */
export interface ModelConfig {
  id: string
  /** null for a system model. */
  ownerId: string | null
  scope: ModelScope
  providerKind: ProviderKind
  baseUrl: string
  modelId: string
  displayName: string
  alias: string | null
  contextWindow: number
  maxOutputTokens: number
  defaultParams: DefaultParams
  enabled: boolean
  visibility: Visibility
  allowedUserIds: string[]
  createdAt: Date
  updatedAt: Date
}

/** What the store keeps of a provider key: the SecretBox output and a display hint, never the key. */
export interface StoredCredential {
  ciphertext: string
  keyId: string
  hint: string
}

export interface StoredModelConfig extends ModelConfig {
  credential: StoredCredential | null
}

/** Scope and timestamps are derived by the store (scope from ownerId). */
export type NewModelConfig = Omit<StoredModelConfig, 'scope' | 'createdAt' | 'updatedAt'>

/** Plain fields; the credential changes only through replaceCredential (RotateApiKey). */
export type ModelConfigChanges = Partial<
  Pick<
    NewModelConfig,
    | 'providerKind'
    | 'baseUrl'
    | 'modelId'
    | 'displayName'
    | 'alias'
    | 'contextWindow'
    | 'maxOutputTokens'
    | 'defaultParams'
    | 'enabled'
    | 'visibility'
    | 'allowedUserIds'
  >
>

export const scopeOf = (ownerId: string | null): ModelScope => (ownerId === null ? 'system' : 'personal')

/**
 * Calls through a personal model are made on behalf of its owner: the outbound address policy
 * applies (no loopback, private or metadata addresses unless the admin allows them). System models
 * are the admins' and reach any address (local models on the admins' network).
 */
export const restrictedOutbound = (config: Pick<ModelConfig, 'ownerId'>): boolean => config.ownerId !== null

/** The associated data that binds a model's sealed key to its row. */
export const modelConfigAad = (id: string): string => `model-config:${id}`
/** The same for a pooled credential of a system model. */
export const providerCredentialAad = (id: string): string => `provider-credential:${id}`

/**
 * May the actor send requests through this model (ignoring `enabled`)? Personal: the owner only.
 * System: by visibility; admins may use every system model (they could put themselves on any list).
 */
export function canUse(actor: Actor, config: ModelConfig): boolean {
  if (config.ownerId !== null) return config.ownerId === actor.userId
  if (isAdmin(actor)) return true
  if (config.visibility === 'all') return true
  if (config.visibility === 'users') return config.allowedUserIds.includes(actor.userId)
  return false
}

/** May the actor change, delete, re-key or test it? Personal: the owner; system: admins. */
export function canManage(actor: Actor, config: ModelConfig): boolean {
  return config.ownerId === null ? isAdmin(actor) : config.ownerId === actor.userId
}

/**
 * Does it show up for the actor at all? Managers see their models even when disabled (to re-enable
 * them); everyone else sees only enabled models they may use. Anything else reads as not found.
 */
export function canSee(actor: Actor, config: ModelConfig): boolean {
  return canManage(actor, config) || (config.enabled && canUse(actor, config))
}

/** The last 4 characters, shown so a user can tell keys apart; nothing for keys too short to spare them. */
export function credentialHint(apiKey: string): string {
  return apiKey.length >= 12 ? apiKey.slice(-4) : ''
}
