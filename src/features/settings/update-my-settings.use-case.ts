import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
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
  ) {}

  async execute({ actor, patch }: UpdateMySettingsInput): Promise<SettingsView> {
    const values = validatePersonalPatch(patch)
    const keys = Object.keys(values)
    if (keys.length) {
      await this.repository.setUser(actor.userId, values)
      await this.bus.publish({ scope: 'user', userId: actor.userId, keys })
    }
    const [system, personal] = await Promise.all([this.system.all(), this.repository.getUser(actor.userId)])
    return settingsView(system, resolvePersonalSettings(personal))
  }
}
