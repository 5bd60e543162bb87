import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'
import type { CallFailure } from './credential-pool.ts'
import type { ModelConfig } from './model-config.ts'

/** One key a request may try: a pooled credential of a system model, or the model's own key (credentialId null). */
export interface CredentialCandidate {
  credentialId: string | null
  /** Decrypted for this request only. Never log or persist it. */
  apiKey: string
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
}

/**
 * What chat and the relay need from model configurations (owned by those consumers, implemented by
 * the models slice). Both methods apply the visibility rules: a model the actor may not use, or a
 * disabled one, reads as NOT_FOUND, never FORBIDDEN.
 */
export interface ModelAccess {
  resolveForUse(actor: Actor, modelConfigId: string): Promise<UsableModel>
  /** Enabled models the actor may use, oldest first. */
  listUsable(actor: Actor): Promise<ModelConfig[]>
}
export const ModelAccess = token<ModelAccess>('ModelAccess')
