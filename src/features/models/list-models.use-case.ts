import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { canSee } from './model-config.ts'
import { ModelConfigRepository } from './model-config.repository.port.ts'
import { modelView, type ModelView } from './model-view.ts'

/**
 * GET /models: the caller's own models and the system models visible to them, each marked personal
 * or system. Admins see every system model but never other users' personal models.
 */
@injectable()
export class ListModels {
  constructor(@inject(ModelConfigRepository) private readonly configs: ModelConfigRepository) {}

  async execute({ actor }: { actor: Actor }): Promise<{ items: ModelView[] }> {
    const all = await this.configs.listForUser(actor.userId)
    return { items: all.filter((c) => canSee(actor, c)).map((c) => modelView(c, actor)) }
  }
}
