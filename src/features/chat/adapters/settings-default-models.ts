import { inject, injectable } from 'tsyringe'
import { resolvePersonalSettings } from '../../settings/settings.ts'
import { SettingsRepository } from '../../settings/settings.repository.port.ts'
import { SystemSettingsReader } from '../../settings/system-settings-reader.port.ts'
import type { DefaultModels } from '../default-models.port.ts'

/** The `defaultModelId` settings: the user's own (personal settings), then the system's (cached). */
@injectable()
export class SettingsDefaultModels implements DefaultModels {
  constructor(
    @inject(SettingsRepository) private readonly settings: SettingsRepository,
    @inject(SystemSettingsReader) private readonly system: SystemSettingsReader,
  ) {}

  async candidatesFor(userId: string): Promise<string[]> {
    const [personal, system] = await Promise.all([this.settings.getUser(userId), this.system.get('defaultModelId')])
    const own = resolvePersonalSettings(personal).defaultModelId
    return [...new Set([own, system].filter((id): id is string => typeof id === 'string'))]
  }
}
