import type { Actor } from '../../shared/actor.ts'
import { canManage, type DefaultParams, type ModelScope, type ProviderKind, type StoredModelConfig, type Visibility } from './model-config.ts'

/**
 * What a client sees of a model: never the key or its ciphertext, only whether there is one. The
 * endpoint, key hint and visibility list are shown only to whoever manages the model.
 */
export interface ModelView {
  id: string
  scope: ModelScope
  displayName: string
  providerKind: ProviderKind
  modelId: string
  alias: string | null
  contextWindow: number
  maxOutputTokens: number
  defaultParams: DefaultParams
  enabled: boolean
  hasApiKey: boolean
  createdAt: string
  updatedAt: string
  baseUrl?: string
  /** The key's last 4 characters (null: no key, or too short to show any). */
  apiKeyHint?: string | null
  visibility?: Visibility
  allowedUserIds?: string[]
  /** System models, managers only: the upstream accounts of its pool (when the caller looked them up). */
  accountIds?: string[]
}

export function modelView(config: StoredModelConfig, actor: Actor, accountIds?: readonly string[]): ModelView {
  const view: ModelView = {
    id: config.id,
    scope: config.scope,
    displayName: config.displayName,
    providerKind: config.providerKind,
    modelId: config.modelId,
    alias: config.alias,
    contextWindow: config.contextWindow,
    maxOutputTokens: config.maxOutputTokens,
    defaultParams: config.defaultParams,
    enabled: config.enabled,
    hasApiKey: config.credential !== null,
    createdAt: config.createdAt.toISOString(),
    updatedAt: config.updatedAt.toISOString(),
  }
  if (!canManage(actor, config)) return view
  view.baseUrl = config.baseUrl
  view.apiKeyHint = config.credential?.hint || null
  if (config.scope === 'system') {
    view.visibility = config.visibility
    view.allowedUserIds = [...config.allowedUserIds]
    if (accountIds) view.accountIds = [...accountIds]
  }
  return view
}
