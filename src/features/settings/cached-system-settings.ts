import { inject, injectable } from 'tsyringe'
import { deepFreeze } from '../../shared/deep-freeze.ts'
import { token } from '../../shared/di.ts'
import type { AppMode, ModeReader } from '../system/service-info.port.ts'
import { resolveSystemSettings, type SystemSettingKey, type SystemSettings } from './settings.ts'
import { SettingsChangeBus } from './settings-change-bus.port.ts'
import { SettingsRepository } from './settings.repository.port.ts'
import type { SystemSettingsReader } from './system-settings-reader.port.ts'

/** APP_MODE: the `mode` setting's default until an admin changes it. */
export const InitialAppMode = token<AppMode>('InitialAppMode')

/**
 * System settings from an in-process cache, dropped whenever the change bus reports a system change
 * (from this process or, through a distributed bus, from another replica). The cache holds the
 * pending load itself, so concurrent readers share one query, and an invalidation during a load
 * makes the next reader load again rather than keep what the old load returns.
 */
@injectable()
export class CachedSystemSettings implements SystemSettingsReader, ModeReader {
  private cached: Promise<SystemSettings> | null = null

  constructor(
    @inject(SettingsRepository) private readonly repository: SettingsRepository,
    @inject(SettingsChangeBus) bus: SettingsChangeBus,
    @inject(InitialAppMode) private readonly initialMode: AppMode,
  ) {
    // Lives as long as the container; one instance per container.
    bus.subscribe((change) => {
      if (change.scope === 'system') this.invalidate()
    })
  }

  all(): Promise<SystemSettings> {
    if (!this.cached) {
      const load = this.load()
      this.cached = load
      // A failed load is not cached: the next reader tries again.
      load.catch(() => {
        if (this.cached === load) this.cached = null
      })
    }
    return this.cached
  }

  async get<K extends SystemSettingKey>(key: K): Promise<SystemSettings[K]> {
    return (await this.all())[key]
  }

  async currentMode(): Promise<AppMode> {
    return this.get('mode')
  }

  invalidate(): void {
    this.cached = null
  }

  private async load(): Promise<SystemSettings> {
    return deepFreeze(resolveSystemSettings(await this.repository.getSystem(), this.initialMode))
  }
}
