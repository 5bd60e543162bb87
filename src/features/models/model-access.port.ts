import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'
import type { ModelConfig } from './model-config.ts'

/** A model a request may go through, with its provider key opened for this request only. */
export interface UsableModel {
  config: ModelConfig
  /**
   * Decrypted when resolved, so a request that started keeps this key even if the key is rotated
   * meanwhile. '' for a keyless endpoint (e.g. a local Ollama). Never log or persist it.
   */
  apiKey: string
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
