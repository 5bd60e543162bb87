import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { ValidationFailed } from '../../shared/errors.ts'
import { ModelCatalog } from '../models/model-catalog.port.ts'
import { resolvePersonalSettings, settingsView, validatePersonalPatch, type SettingsView } from './settings.ts'
import { SettingsChangeBus } from './settings-change-bus.port.ts'
import { SettingsRepository } from './settings.repository.port.ts'
import { SystemSettingsReader } from './system-settings-reader.port.ts'

export interface UpdateMySettingsInput {
  actor: Actor
  patch: Record<string, unknown>
}

@injectable()
export class UpdateMySettings {
  constructor(
    @inject(SettingsRepository) private readonly repository: SettingsRepository,
    @inject(SettingsChangeBus) private readonly bus: SettingsChangeBus,
    @inject(SystemSettingsReader) private readonly system: SystemSettingsReader,
    @inject(ModelCatalog) private readonly models: ModelCatalog,
  ) {}

  async execute({ actor, patch }: UpdateMySettingsInput): Promise<SettingsView> {
    const values = validatePersonalPatch(patch)
    // One of my own models or a system model I may use; anything else (another user's model, an
    // unknown id) is refused the same way, so the answer tells nothing about other users' models.
    const defaultModelId = values.defaultModelId
    if (typeof defaultModelId === 'string' && !(await this.models.referableBy(actor)).some((m) => m.id === defaultModelId)) {
      throw new ValidationFailed('Invalid personal settings', [
        { path: 'defaultModelId', message: 'must be the id of one of your models or of a system model you may use' },
      ])
    }
    const keys = Object.keys(values)
    if (keys.length) {
      await this.repository.setUser(actor.userId, values)
      await this.bus.publish({ scope: 'user', userId: actor.userId, keys })
    }
    const [system, personal] = await Promise.all([this.system.all(), this.repository.getUser(actor.userId)])
    return settingsView(system, resolvePersonalSettings(personal))
  }
}
