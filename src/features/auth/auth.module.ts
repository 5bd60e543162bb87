import type { DependencyContainer } from 'tsyringe'
import { bindClass, bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { SessionRevoker } from '../users/session-revoker.port.ts'
import { AccessTokens } from './access-tokens.port.ts'
import { BcryptPasswordHasher } from './adapters/bcrypt-password-hasher.ts'
import { InMemoryLoginThrottle } from './adapters/in-memory-login-throttle.ts'
import { HmacRefreshTokenMint } from './adapters/hmac-refresh-token-mint.ts'
import { JwtAccessTokens } from './adapters/jwt-access-tokens.ts'
import { PrismaRefreshTokenRepository } from './adapters/prisma-refresh-token.repository.ts'
import { RedisLoginThrottle } from './adapters/redis-login-throttle.ts'
import { SettingsRegistrationGate } from './adapters/settings-registration-gate.ts'
import { AuthPolicy } from './auth-policy.ts'
import { LoginThrottle } from './login-throttle.port.ts'
import { PasswordHasher } from './password-hasher.port.ts'
import { RefreshTokenMint } from './refresh-token-mint.port.ts'
import { RefreshTokenRepository } from './refresh-token.repository.port.ts'
import { RegistrationGate } from './registration-gate.port.ts'

export interface AuthModuleOptions extends AuthPolicy {
  jwtSecret: string
  bcryptCost: number
}

export function registerAuth(c: DependencyContainer, options: AuthModuleOptions): void {
  const { jwtSecret, bcryptCost, ...policy } = options
  bindValue(c, AuthPolicy, policy)
  bindValue(c, PasswordHasher, new BcryptPasswordHasher(bcryptCost))
  bindValue(c, AccessTokens, new JwtAccessTokens(jwtSecret, policy.accessTokenTtlSeconds))
  bindClass(c, RefreshTokenRepository, PrismaRefreshTokenRepository)
  // Successors derive from the JWT secret, so every replica computes the same one.
  bindValue(c, RefreshTokenMint, new HmacRefreshTokenMint(jwtSecret))
  bindFactory(c, SessionRevoker, (inner) => resolve(inner, RefreshTokenRepository))
  // With Redis, failed-login counts and locks are shared by every replica.
  bindValue(c, LoginThrottle, c.isRegistered(RedisClient, true) ? new RedisLoginThrottle(resolve(c, RedisClient)) : new InMemoryLoginThrottle())
  bindClass(c, RegistrationGate, SettingsRegistrationGate)
}
