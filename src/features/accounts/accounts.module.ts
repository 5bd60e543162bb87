import type { DependencyContainer } from 'tsyringe'
import { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { bindClass, bindFactory, bindValue, resolve } from '../../shared/di.ts'
import { RedisClient } from '../../shared/infra/redis.ts'
import { OutboundTransport } from '../../shared/outbound/outbound-transport.port.ts'
import { AccountPools } from '../models/account-pools.port.ts'
import { AccountPool } from '../models/account-pool.port.ts'
import { AccountProbe } from './account-probe.port.ts'
import { RepositoryAccountPools } from './account-pools.ts'
import { AccountScheduler, AccountSchedulerOptions } from './account-scheduler.ts'
import { AccountTokens, AccountTokensOptions } from './account-tokens.ts'
import { InProcessRefreshLock } from './adapters/in-process-refresh-lock.ts'
import { InProcessStickyRoutes } from './adapters/in-process-sticky-routes.ts'
import { PrismaUpstreamAccountRepository } from './adapters/prisma-upstream-account.repository.ts'
import { RedisRefreshLock } from './adapters/redis-refresh-lock.ts'
import { RedisStickyRoutes } from './adapters/redis-sticky-routes.ts'
import { CachingUpstreamAccountRepository } from './caching-upstream-account.repository.ts'
import { HttpCodeAssistProjects } from './oauth/adapters/http-code-assist-projects.ts'
import { CodeAssistProjects } from './oauth/code-assist-projects.port.ts'
import { HttpOAuthTokenClient } from './oauth/adapters/http-oauth-token-client.ts'
import { InProcessOAuthFlowStore } from './oauth/adapters/in-process-oauth-flow.store.ts'
import { NodePkce } from './oauth/adapters/node-pkce.ts'
import { RedisOAuthFlowStore } from './oauth/adapters/redis-oauth-flow.store.ts'
import { OAuthFlowStore } from './oauth/oauth-flow.store.port.ts'
import { OAuthProfiles } from './oauth/oauth-profile.ts'
import { oauthProfilesFrom, type OAuthProfileSettings } from './oauth/oauth-profiles.ts'
import { OAuthTokenClient } from './oauth/oauth-token-client.port.ts'
import { PkceSource } from './oauth/pkce.port.ts'
import { OAuthRefreshSweeper, OAuthSweepOptions } from './oauth-refresh-sweeper.ts'
import { ProbeAccount } from './probe-account.ts'
import { RefreshLock } from './refresh-lock.port.ts'
import { StickyRoutes } from './sticky-routes.port.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'

export interface AccountsModuleOptions {
  oauth: OAuthProfileSettings & { refreshSkewSeconds: number; sweepIntervalSeconds: number; sweepWindowSeconds: number }
  stickyTtlSeconds: number
  /** The outbound transport's timeouts; token endpoint calls cap them (HttpOAuthTokenClient). */
  upstream: { connectTimeoutMs: number; headersTimeoutMs: number; idleTimeoutMs: number }
}

/**
 * Upstream accounts: their repository (pools cached, dropped on every replica on change), the
 * scheduler that ModelAccess draws candidates from, OAuth (profiles, PKCE, flows, token endpoint,
 * refresh with one lock across replicas) and the account probe. Redis, when bound, carries the
 * refresh lock, the OAuth flows and sticky routes across replicas.
 * Needs Database, Clock, Log, Metrics, AuditTrail, CacheInvalidation, SecretBox, CredentialHealth,
 * PoolRandom, ModelConfigRepository, AiProvider, OutboundTransport and ProxyProbe.
 */
export function registerAccounts(c: DependencyContainer, options: AccountsModuleOptions): void {
  bindFactory(c, UpstreamAccountRepository, (inner) =>
    new CachingUpstreamAccountRepository(inner.resolve(PrismaUpstreamAccountRepository), resolve(inner, CacheInvalidation), resolve(inner, Clock)),
  )
  const redis = (inner: DependencyContainer) => (inner.isRegistered(RedisClient, true) ? resolve(inner, RedisClient) : undefined)
  bindFactory(c, RefreshLock, (inner) => (redis(inner) ? inner.resolve(RedisRefreshLock) : inner.resolve(InProcessRefreshLock)))
  bindFactory(c, StickyRoutes, (inner) => {
    const shared = redis(inner)
    return shared ? new RedisStickyRoutes(shared) : new InProcessStickyRoutes(resolve(inner, Clock))
  })
  bindFactory(c, OAuthFlowStore, (inner) => {
    const shared = redis(inner)
    return shared ? new RedisOAuthFlowStore(shared, resolve(inner, SecretBox), resolve(inner, Clock)) : new InProcessOAuthFlowStore(resolve(inner, Clock))
  })
  bindValue(c, OAuthProfiles, oauthProfilesFrom(options.oauth))
  bindValue(c, PkceSource, new NodePkce())
  const { connectTimeoutMs, headersTimeoutMs, idleTimeoutMs } = options.upstream
  const tokenTimeouts = { connectMs: connectTimeoutMs, headersMs: headersTimeoutMs, idleMs: idleTimeoutMs }
  bindFactory(c, OAuthTokenClient, (inner) => new HttpOAuthTokenClient(resolve(inner, OutboundTransport), () => resolve(inner, Clock).now(), tokenTimeouts))
  bindFactory(c, CodeAssistProjects, (inner) => new HttpCodeAssistProjects(resolve(inner, OutboundTransport)))
  bindValue(c, AccountTokensOptions, { skewSeconds: options.oauth.refreshSkewSeconds })
  // One per container: it holds the in-flight refreshes that waiters on this replica share.
  c.registerSingleton(AccountTokens)
  bindValue(c, AccountSchedulerOptions, { stickyTtlMs: options.stickyTtlSeconds * 1000 })
  bindClass(c, AccountPool, AccountScheduler)
  bindClass(c, AccountPools, RepositoryAccountPools)
  bindClass(c, AccountProbe, ProbeAccount)
  bindValue(c, OAuthSweepOptions, { intervalSeconds: options.oauth.sweepIntervalSeconds, windowSeconds: options.oauth.sweepWindowSeconds })
  c.registerSingleton(OAuthRefreshSweeper)
}
