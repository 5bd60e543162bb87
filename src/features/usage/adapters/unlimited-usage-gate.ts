import type { Admission, UsageGate } from '../usage-gate.port.ts'

const admitted: Admission = { settle: async () => {} }

/** Lets everything through; the default until limits are configured. */
export class UnlimitedUsageGate implements UsageGate {
  async admit(): Promise<Admission> {
    return admitted
  }
}
