import type { DependencyContainer } from 'tsyringe'
import { bindClass, bindFactory, bindValue } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { CalibratedUsageGate } from './calibrated-usage-gate.ts'
import { InProcessUsageGate } from './adapters/in-process-usage-gate.ts'
import { PrismaUsageRecorder } from './adapters/prisma-usage-recorder.ts'
import { PrismaUsageStats } from './adapters/prisma-usage-stats.ts'
import { PrismaUsageTotals } from './adapters/prisma-usage-totals.ts'
import { PrismaUserLimitsStore } from './adapters/prisma-user-limits.store.ts'
import { RedisUsageGate } from './adapters/redis-usage-gate.ts'
import { EffectiveLimits } from './effective-limits.ts'
import { DEFAULT_GATE_OPTIONS, UsageGateOptions } from './gate-options.ts'
import { UsageGate } from './usage-gate.port.ts'
import { UsageRecorder } from './usage-recorder.port.ts'
import { UsageStats } from './usage-stats.port.ts'
import { UsageTotals } from './usage-totals.port.ts'
import { UserLimitsStore } from './user-limits.store.port.ts'

/**
 * Binds limits, quotas and usage statistics. UsageGate is the Redis gate when RedisClient is bound
 * (every replica shares one set of limits), else the in-process one. Needs Database, IdGenerator,
 * Log, Clock and SystemSettingsReader (registerSettings). Override UsageGateOptions to change the
 * Redis key namespace or the lease time.
 */
export function registerUsage(c: DependencyContainer, options: Partial<UsageGateOptions> = {}): void {
  bindValue(c, UsageGateOptions, { ...DEFAULT_GATE_OPTIONS, ...options })
  // Class-bound, so container.dispose() flushes what is buffered.
  bindClass(c, UsageRecorder, PrismaUsageRecorder)
  bindClass(c, UsageTotals, PrismaUsageTotals)
  bindClass(c, UsageStats, PrismaUsageStats)
  bindClass(c, UserLimitsStore, PrismaUserLimitsStore)
  // One cache per container, shared by the gate and the admin use cases that invalidate it.
  c.registerSingleton(EffectiveLimits)
  // Reservations scaled by what each model's provider really bills for input (calibrated-usage-gate.ts).
  bindFactory(c, UsageGate, (inner) =>
    new CalibratedUsageGate(inner.isRegistered(RedisClient, true) ? inner.resolve(RedisUsageGate) : inner.resolve(InProcessUsageGate)),
  )
}
