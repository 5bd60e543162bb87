import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { resolvePersonalSettings, settingsView, type SettingsView } from './settings.ts'
import { SettingsRepository } from './settings.repository.port.ts'
import { SystemSettingsReader } from './system-settings-reader.port.ts'

export interface GetEffectiveSettingsInput {
  actor: Actor
}

/** System values are not secret: every signed-in user sees them next to their own. */
@injectable()
export class GetEffectiveSettings {
  constructor(
    @inject(SystemSettingsReader) private readonly system: SystemSettingsReader,
    @inject(SettingsRepository) private readonly repository: SettingsRepository,
  ) {}

  async execute({ actor }: GetEffectiveSettingsInput): Promise<SettingsView> {
    const [system, personal] = await Promise.all([this.system.all(), this.repository.getUser(actor.userId)])
    return settingsView(system, resolvePersonalSettings(personal))
  }
}
