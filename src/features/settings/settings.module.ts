import type { DependencyContainer } from 'tsyringe'
import { bindClass, bindFactory, bindValue } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { ModeReader, type AppMode } from '../system/service-info.port.ts'
import { InProcessSettingsChangeBus } from './adapters/in-process-settings-change-bus.ts'
import { PrismaSettingsRepository } from './adapters/prisma-settings.repository.ts'
import { RedisSettingsChangeBus } from './adapters/redis-settings-change-bus.ts'
import { CachedSystemSettings, InitialAppMode } from './cached-system-settings.ts'
import { SettingsChangeBus } from './settings-change-bus.port.ts'
import { SettingsRepository } from './settings.repository.port.ts'
import { SystemSettingsReader } from './system-settings-reader.port.ts'

/**
 * Binds the settings ports. Also binds ModeReader to the settings-backed reader, replacing the
 * env-only one, so call it after registerSystem. Needs Database and AuditTrail (registerAudit).
 */
export function registerSettings(c: DependencyContainer, opts: { initialMode: AppMode }): void {
  bindValue(c, InitialAppMode, opts.initialMode)
  bindClass(c, SettingsRepository, PrismaSettingsRepository)
  // With Redis, other replicas drop their cached settings too (class-bound: dispose() closes its subscriber).
  if (c.isRegistered(RedisClient, true)) bindClass(c, SettingsChangeBus, RedisSettingsChangeBus)
  else bindValue(c, SettingsChangeBus, new InProcessSettingsChangeBus())
  // One cache per container, reachable under both tokens.
  c.registerSingleton(CachedSystemSettings)
  bindFactory(c, SystemSettingsReader, (inner) => inner.resolve(CachedSystemSettings))
  bindFactory(c, ModeReader, (inner) => inner.resolve(CachedSystemSettings))
}
