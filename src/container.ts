import { readFileSync } from 'node:fs'
import path from 'node:path'
import { container as rootContainer, type DependencyContainer } from 'tsyringe'
import type { Config } from './config.ts'
import { CacheInvalidation } from './shared/cache-invalidation.port.ts'
import { SettlingCacheInvalidation } from './shared/settling-cache-invalidation.ts'
import { UnitOfWork } from './shared/unit-of-work.port.ts'
import { PrismaUnitOfWork } from './shared/infra/database/prisma-unit-of-work.ts'
import { bindClass, bindFactory, bindValue, resolve, token } from './shared/di.ts'
import { Clock } from './shared/clock.port.ts'
import { IdGenerator } from './shared/ids.ts'
import { Log, type Logger } from './shared/logger.ts'
import { PROJECT_ROOT } from './shared/infra/project-root.ts'
import { Database } from './shared/infra/database/database.ts'
import type { ResolvedSecrets } from './shared/infra/local-secrets.ts'
import { InProcessCacheInvalidation } from './shared/infra/in-process-cache-invalidation.ts'
import { RedisCacheInvalidation } from './shared/infra/redis-cache-invalidation.ts'
import { SqliteCacheInvalidation } from './shared/infra/sqlite-cache-invalidation.ts'
import { RedisClient, type Redis } from './shared/infra/redis.ts'
import { UuidV7Generator, systemClock } from './shared/infra/uuid-v7.ts'
import { registerAccounts } from './features/accounts/accounts.module.ts'
import { registerAudit } from './features/audit/audit.module.ts'
import { registerAuth } from './features/auth/auth.module.ts'
import { registerChat } from './features/chat/chat.module.ts'
import { registerMetrics } from './features/metrics/metrics.module.ts'
import { registerProviders } from './features/providers/providers.module.ts'
import { registerRelay } from './features/relay/relay.module.ts'
import { registerKeys } from './features/keys/keys.module.ts'
import { registerUsage } from './features/usage/usage.module.ts'
import { registerModels } from './features/models/models.module.ts'
import { registerSettings } from './features/settings/settings.module.ts'
import { registerSystem } from './features/system/system.module.ts'
import { registerUsers } from './features/users/users.module.ts'

/** The transport of cache invalidations (Redis, SQLite's data version or in-process), before SettlingCacheInvalidation. */
const PublishedCacheInvalidation = token<CacheInvalidation>('PublishedCacheInvalidation')

/** Everything the process opened before wiring: the composition root only binds, it never connects. */
export interface Infrastructure {
  config: Config
  db: Database
  log: Logger
  secrets: ResolvedSecrets
  /** Present when REDIS_URL is set: limits, throttling, cache invalidation and stop requests go across replicas. */
  redis?: Redis
}

const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string }

/** Builds a fresh child container per app instance; `override` lets tests swap adapters. */
export function buildContainer(infra: Infrastructure, override?: (c: DependencyContainer) => void): DependencyContainer {
  const c = rootContainer.createChildContainer()
  bindValue(c, Database, infra.db)
  bindValue(c, Log, infra.log)
  bindValue(c, Clock, systemClock)
  bindValue(c, IdGenerator, new UuidV7Generator())
  if (infra.redis) bindValue(c, RedisClient, infra.redis)
  // Caches drop what another replica (Redis) or the admin CLI (SQLite's data version) changed.
  // Class-bound where there is something to stop: dispose() unsubscribes or ends the polling.
  if (infra.redis) bindClass(c, PublishedCacheInvalidation, RedisCacheInvalidation)
  else if (infra.db.kind === 'sqlite') bindClass(c, PublishedCacheInvalidation, SqliteCacheInvalidation)
  else bindValue(c, PublishedCacheInvalidation, new InProcessCacheInvalidation())
  bindClass(c, UnitOfWork, PrismaUnitOfWork)
  bindFactory(c, CacheInvalidation, (inner) => new SettlingCacheInvalidation(resolve(inner, PublishedCacheInvalidation), resolve(inner, UnitOfWork)))
  registerSystem(c, { ...infra, name: pkg.name, version: pkg.version })
  registerMetrics(c)
  registerAudit(c)
  registerSettings(c, { initialMode: infra.config.initialMode })
  // Sign-in checks (user, login) are cached only where every process hears every write: a logout
  // must end a login everywhere at once, even on PostgreSQL replicas run without Redis.
  const cacheSignIns = Boolean(infra.redis) || infra.db.kind === 'sqlite'
  registerUsers(c, { cache: cacheSignIns })
  registerAuth(c, { ...infra.config.auth, jwtSecret: infra.secrets.jwtSecret, cacheSignIns })
  registerProviders(c, { ...infra.config.upstream, outbound: infra.config.outbound })
  registerChat(c, { graceMs: infra.config.chat.resumeGraceSeconds * 1000, maxEvents: infra.config.chat.resumeMaxEvents })
  registerUsage(c)
  registerKeys(c, { pepper: infra.secrets.apiKeyPepper })
  registerRelay(c, { maxAttempts: infra.config.relayMaxAttempts })
  registerAccounts(c, { oauth: infra.config.oauth, stickyTtlSeconds: infra.config.accountStickyTtlSeconds, upstream: infra.config.upstream })
  registerModels(c, { masterKey: infra.secrets.masterKey, previousMasterKeys: infra.secrets.previousMasterKeys })
  override?.(c)
  return c
}
