import { inject, injectable } from 'tsyringe'
import { SystemSettingsReader } from '../../settings/system-settings-reader.port.ts'
import type { RegistrationGate } from '../registration-gate.port.ts'

/** Registration follows the system settings, so an admin's change takes effect without a restart. */
@injectable()
export class SettingsRegistrationGate implements RegistrationGate {
  constructor(@inject(SystemSettingsReader) private readonly settings: SystemSettingsReader) {}

  async check() {
    const { mode, registration } = await this.settings.all()
    if (mode === 'single-user') return { open: false as const, reason: 'Registration is disabled: this instance runs in single-user mode' }
    if (registration === 'closed') return { open: false as const, reason: 'Registration is closed; ask an administrator for an account' }
    return { open: true as const }
  }
}
