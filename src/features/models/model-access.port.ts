import type { Actor } from '../../shared/actor.ts'
import type { AuthType } from '../providers/ai-provider.port.ts'
import { token } from '../../shared/di.ts'
import type { CallFailure } from './credential-pool.ts'
import type { ModelConfig } from './model-config.ts'

/**
 * One credential a request may try: an upstream account (accountId set), a pooled credential of a
 * system model, or the model's own key (credentialId null).
 */
export interface CredentialCandidate {
  credentialId: string | null
  /** Decrypted for this request only; '' for an OAuth account (see `token`). Never log or persist it. */
  apiKey: string
  /** Set for an upstream account: failures and stickiness are reported to the account pool. */
  accountId?: string
  /** Default 'api_key'. */
  authType?: AuthType
  /** The account's endpoint, when it differs from the model's. */
  baseUrl?: string | null
  /** The account's outbound proxy (with its password): never log it. */
  proxyUrl?: string | null
  /** Gemini OAuth (Code Assist) project. */
  projectId?: string | null
  /**
   * OAuth accounts: a usable access token (refreshed ahead of expiry). With `rejected` (the token an
   * upstream just answered 401 for), a newer one, refreshing once if needed.
   */
  token?(rejected?: string): Promise<string>
}

/** A model a request may go through, with its provider key opened for this request only. */
export interface UsableModel {
  config: ModelConfig
  /**
   * Decrypted when resolved, so a request that started keeps this key even if the key is rotated
   * meanwhile. '' for a keyless endpoint (e.g. a local Ollama). Never log or persist it.
   */
  apiKey: string
  /**
   * Every key the request may try, best first: the model's own key (weight 1) and, for a system
   * model, its enabled pooled credentials, ordered by weighted random choice, cooling keys last.
   * `apiKey` is `candidates[0].apiKey`. ModelAccessService always sets it; absent means [apiKey].
   * Hand the whole UsableModel to streamWithFailover / openWithFailover (providers/failover.ts).
   */
  candidates?: CredentialCandidate[]
  /** A candidate failed before anything went downstream: cool it down (by status). Never throws. */
  reportFailure?(candidate: CredentialCandidate, failure: CallFailure): void
  /** A candidate answered (sticky routing). Never throws. */
  reportSuccess?(candidate: CredentialCandidate): void
}

export interface ResolveOptions {
  /** A conversation id (chat session, or a relay conversation's fingerprint) for sticky accounts. */
  stickyKey?: string
}

/**
 * What chat and the relay need from model configurations (owned by those consumers, implemented by
 * the models slice). Both methods apply the visibility rules: a model the actor may not use, or a
 * disabled one, reads as NOT_FOUND, never FORBIDDEN.
 */
export interface ModelAccess {
  resolveForUse(actor: Actor, modelConfigId: string, options?: ResolveOptions): Promise<UsableModel>
  /** Enabled models the actor may use, oldest first. */
  listUsable(actor: Actor): Promise<ModelConfig[]>
}
export const ModelAccess = token<ModelAccess>('ModelAccess')
