import { inject, injectable } from 'tsyringe'
import { isAdmin, type Actor } from '../../shared/actor.ts'
import { Forbidden, ValidationFailed } from '../../shared/errors.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { ModelCatalog } from '../models/model-catalog.port.ts'
import { resolvePersonalSettings, settingsView, validateSystemPatch, type SettingsView } from './settings.ts'
import { SettingsChangeBus } from './settings-change-bus.port.ts'
import { SettingsRepository } from './settings.repository.port.ts'
import { SystemSettingsReader } from './system-settings-reader.port.ts'

export interface UpdateSystemSettingsInput {
  actor: Actor
  /** Only the keys to change; validated here again because not every caller is the HTTP edge. */
  patch: Record<string, unknown>
}

@injectable()
export class UpdateSystemSettings {
  constructor(
    @inject(SettingsRepository) private readonly repository: SettingsRepository,
    @inject(SettingsChangeBus) private readonly bus: SettingsChangeBus,
    @inject(SystemSettingsReader) private readonly system: SystemSettingsReader,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(ModelCatalog) private readonly models: ModelCatalog,
  ) {}

  async execute({ actor, patch }: UpdateSystemSettingsInput): Promise<SettingsView> {
    if (!isAdmin(actor)) throw new Forbidden('Only an administrator can change system settings')
    const values = validateSystemPatch(patch)
    // Everyone's default: it must name a system model (enabled or not), never someone's personal one.
    if (typeof values.defaultModelId === 'string' && !(await this.models.findSystemModel(values.defaultModelId))) {
      throw new ValidationFailed('Invalid system settings', [{ path: 'defaultModelId', message: 'must be the id of a system model' }])
    }
    const keys = Object.keys(values).sort()
    if (keys.length) {
      await this.repository.setSystem(values, actor.userId)
      await this.bus.publish({ scope: 'system', keys })
      await this.audit.record({
        actorId: actor.userId,
        action: 'settings.system_changed',
        targetType: 'system_settings',
        metadata: { keys, values },
      })
    }
    const [system, personal] = await Promise.all([this.system.all(), this.repository.getUser(actor.userId)])
    return settingsView(system, resolvePersonalSettings(personal))
  }
}
