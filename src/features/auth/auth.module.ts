import type { DependencyContainer } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { bindClass, bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { SessionRevoker } from '../users/session-revoker.port.ts'
import { AccessTokens } from './access-tokens.port.ts'
import { InMemoryLoginThrottle } from './adapters/in-memory-login-throttle.ts'
import { InMemoryRegistrationLimiter } from './adapters/in-memory-registration-limiter.ts'
import { HmacRefreshTokenMint } from './adapters/hmac-refresh-token-mint.ts'
import { JwtAccessTokens } from './adapters/jwt-access-tokens.ts'
import { PasswordHashingOptions, PooledBcryptPasswordHasher } from './adapters/pooled-bcrypt-password-hasher.ts'
import { PrismaRefreshTokenRepository } from './adapters/prisma-refresh-token.repository.ts'
import { RedisLoginThrottle } from './adapters/redis-login-throttle.ts'
import { RedisRegistrationLimiter } from './adapters/redis-registration-limiter.ts'
import { SettingsRegistrationGate } from './adapters/settings-registration-gate.ts'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { AuthPolicy } from './auth-policy.ts'
import { CachingRefreshTokenRepository } from './caching-refresh-token.repository.ts'
import { LoginThrottle } from './login-throttle.port.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { RefreshTokenMint } from './refresh-token-mint.port.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'
import { RegistrationGate } from './registration-gate.port.ts'
import { RegistrationLimiter, UNLIMITED_REGISTRATIONS } from './registration-limiter.port.ts'

export interface AuthModuleOptions extends AuthPolicy {
  jwtSecret: string
  bcryptCost: number
  passwordHashWorkers: number
  passwordHashQueue: number
  /** 0: no limit. */
  registrationsPerHour: number
  /** Cache the per-request login check (only where every process hears every write). */
  cacheSignIns: boolean
}

export function registerAuth(c: DependencyContainer, options: AuthModuleOptions): void {
  const { jwtSecret, bcryptCost, passwordHashWorkers, passwordHashQueue, registrationsPerHour, cacheSignIns, ...policy } = options
  bindValue(c, AuthPolicy, policy)
  bindValue(c, PasswordHashingOptions, { cost: bcryptCost, workers: passwordHashWorkers, queueLimit: passwordHashQueue })
  // Class-bound: container.dispose() stops its worker threads.
  bindClass(c, PasswordHasher, PooledBcryptPasswordHasher)
  bindValue(c, AccessTokens, new JwtAccessTokens(jwtSecret, policy.accessTokenTtlSeconds))
  // Every authenticated request asks whether its login is still alive: cached, every write announced.
  bindFactory(c, RefreshTokenRepository, (inner) => {
    const stored = inner.resolve(PrismaRefreshTokenRepository)
    return cacheSignIns ? new CachingRefreshTokenRepository(stored, resolve(inner, CacheInvalidation), resolve(inner, Clock)) : stored
  })
  // Successors derive from the JWT secret, so every replica computes the same one.
  bindValue(c, RefreshTokenMint, new HmacRefreshTokenMint(jwtSecret))
  bindFactory(c, SessionRevoker, (inner) => resolve(inner, RefreshTokenRepository))
  // With Redis, login attempts and registrations are counted once for every replica.
  const redis = c.isRegistered(RedisClient, true) ? resolve(c, RedisClient) : undefined
  // Its Redis key names are keyed hashes (every replica has the JWT secret): a password typed as the username never rests there.
  bindFactory(c, LoginThrottle, (inner) => (redis ? new RedisLoginThrottle(redis, undefined, jwtSecret) : new InMemoryLoginThrottle(resolve(inner, Clock))))
  bindFactory(c, RegistrationLimiter, (inner) => {
    if (registrationsPerHour === 0) return UNLIMITED_REGISTRATIONS
    return redis ? new RedisRegistrationLimiter(redis, registrationsPerHour, 3600) : new InMemoryRegistrationLimiter(registrationsPerHour, 3600, resolve(inner, Clock))
  })
  bindClass(c, RegistrationGate, SettingsRegistrationGate)
}
