import { inject, injectable } from 'tsyringe'
import { HealthProbes, type HealthProbe } from './health-probe.port.ts'

export interface ReadinessCheck {
  name: string
  ok: boolean
  error?: string
}
export interface Readiness {
  ready: boolean
  checks: ReadinessCheck[]
}

const PROBE_TIMEOUT_MS = 2000

@injectable()
export class CheckReadiness {
  constructor(@inject(HealthProbes) private readonly probes: HealthProbe[]) {}

  async execute(): Promise<Readiness> {
    const checks = await Promise.all(this.probes.map((probe) => runProbe(probe)))
    return { ready: checks.every((c) => c.ok), checks }
  }
}

async function runProbe(probe: HealthProbe): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)
  })
  try {
    await Promise.race([probe.check(), timeout])
    return { name: probe.name, ok: true }
  } catch (err) {
    return { name: probe.name, ok: false, error: describe(err) }
  } finally {
    clearTimeout(timer)
  }
}

/** A short reason without connection strings or credentials. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.replace(/\b[a-z]+:\/\/[^\s]+/gi, '<url>').slice(0, 200)
}
