import type { Actor } from '../../shared/actor.ts'
import { Forbidden } from '../../shared/errors.ts'
import { canManage, canSee, type ModelScope, type StoredModelConfig } from './model-config.ts'
import type { ModelConfigRepository } from './model-config.repository.port.ts'
import { ModelNotFound } from './models.errors.ts'

/**
 * The config the actor wants to change. Invisible (or of the other scope) -> 404, so nobody learns
 * that it exists; visible but not theirs to manage (a system model, for a user) -> 403.
 */
export async function findManageableModel(
  configs: ModelConfigRepository,
  actor: Actor,
  id: string,
  scope?: ModelScope,
): Promise<StoredModelConfig> {
  const config = await configs.findById(id)
  if (!config || !canSee(actor, config) || (scope && config.scope !== scope)) throw new ModelNotFound()
  if (!canManage(actor, config)) throw new Forbidden('Only administrators manage system models')
  return config
}
