import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'
import type { ModelConfig } from './model-config.ts'

/**
 * Which model configurations a stored reference may name, checked when the reference is written:
 * a system or personal default model (settings), the models a platform key is restricted to (keys).
 * Unlike ModelAccess it ignores `enabled`: a disabled model may still be named (and is skipped when used).
 */
export interface ModelCatalog {
  /** The actor's own personal models and the system models they may use, oldest first; never a secret. */
  referableBy(actor: Actor): Promise<ModelConfig[]>
  /** A system model by id; null when there is none (unknown id, or a personal model). */
  findSystemModel(id: string): Promise<ModelConfig | null>
}
export const ModelCatalog = token<ModelCatalog>('ModelCatalog')
