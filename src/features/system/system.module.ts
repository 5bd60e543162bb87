import type { DependencyContainer } from 'tsyringe'
import type { Config } from '../../config.ts'
import { bindValue } from '../../shared/di.ts'
import type { Database } from '../../shared/infra/database/database.ts'
import type { Redis } from '../../shared/infra/redis.ts'
import { HealthProbes } from './health-probe.port.ts'
import { ModeReader, ServiceIdentity } from './service-info.port.ts'

export function registerSystem(c: DependencyContainer, deps: { config: Config; db: Database; redis?: Redis; name: string; version: string }): void {
  bindValue(c, ServiceIdentity, { name: deps.name, version: deps.version, databaseKind: deps.db.kind })
  const probes = [{ name: 'database', check: () => deps.db.ping() }]
  const redis = deps.redis
  if (redis) probes.push({ name: 'redis', check: async () => void (await redis.ping()) })
  bindValue(c, HealthProbes, probes)
  // Replaced by the settings-backed reader once system settings exist.
  bindValue(c, ModeReader, { currentMode: async () => deps.config.initialMode })
}
