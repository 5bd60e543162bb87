import { token } from '../../shared/di.ts'
import type { ModelConfigChanges, NewModelConfig, StoredCredential, StoredModelConfig } from './model-config.ts'

export interface ModelConfigRepository {
  create(config: NewModelConfig): Promise<StoredModelConfig>
  findById(id: string): Promise<StoredModelConfig | null>
  /** The user's personal models plus every system model, oldest first. Visibility is the caller's rule. */
  listForUser(userId: string): Promise<StoredModelConfig[]>
  /** Throws NotFound when the config does not exist. */
  update(id: string, changes: ModelConfigChanges): Promise<StoredModelConfig>
  /** Deletes the config with its pooled credentials. Throws NotFound when it does not exist. */
  delete(id: string): Promise<void>
  /**
   * RotateApiKey's write: one atomic update puts the new sealed key (or none) in place of the old one,
   * which is gone afterwards. Throws NotFound when the config does not exist.
   */
  replaceCredential(id: string, credential: StoredCredential | null): Promise<StoredModelConfig>
}
export const ModelConfigRepository = token<ModelConfigRepository>('ModelConfigRepository')
