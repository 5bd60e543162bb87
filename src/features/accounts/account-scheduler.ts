import { inject, injectable } from 'tsyringe'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { Clock } from '../../shared/clock.port.ts'
import { SecretBox } from '../../shared/crypto/secret-box.port.ts'
import { token } from '../../shared/di.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import type { AccountPool, PoolRequest } from '../models/account-pool.port.ts'
import { CredentialHealth } from '../models/credential-health.port.ts'
import { isCooling, laterOf, orderForUse, PoolRandom, type CallFailure, type RandomSource } from '../models/credential-pool.ts'
import type { CredentialCandidate } from '../models/model-access.port.ts'
import type { ModelConfig } from '../models/model-config.ts'
import { CODE_ASSIST_BASE_URL } from '../providers/provider-catalog.ts'
import { AccountTokens } from './account-tokens.ts'
import { statusAfterFailure, type StatusChange } from './account-status-policy.ts'
import { StickyRoutes } from './sticky-routes.port.ts'
import { UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import { accountProxyAad, accountSecretAad, isSidelined, type AccountSecrets, type StoredAccount } from './upstream-account.ts'

export interface AccountSchedulerOptions {
  /** How long a conversation keeps its account (0: no sticky routing). */
  stickyTtlMs: number
}
export const AccountSchedulerOptions = token<AccountSchedulerOptions>('AccountSchedulerOptions')

interface Member {
  account: StoredAccount
  key: string
  weight: number
  cooldownUntilMs: number | null
}

/**
 * The accounts side of a system model's pool: which accounts a request tries, in which order, and
 * what a failure does to an account (account-status-policy.ts). Order: priority (lower first), then
 * weighted random among the ready ones, the sticky account first while it is ready, cooling ones
 * last (trying a cooling account beats failing outright, so one failure never sidelines the only
 * account). needs_reauth, blocked and disabled accounts are never tried.
 */
@injectable()
export class AccountScheduler implements AccountPool {
  constructor(
    @inject(UpstreamAccountRepository) private readonly accounts: UpstreamAccountRepository,
    @inject(CredentialHealth) private readonly health: CredentialHealth,
    @inject(AccountTokens) private readonly tokens: AccountTokens,
    @inject(StickyRoutes) private readonly sticky: StickyRoutes,
    @inject(SecretBox) private readonly box: SecretBox,
    @inject(AuditTrail) private readonly audit: AuditTrail,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(Clock) private readonly clock: Clock,
    @inject(PoolRandom) private readonly random: RandomSource,
    @inject(AccountSchedulerOptions) private readonly options: AccountSchedulerOptions,
    @inject(Log) private readonly log: Logger,
  ) {}

  async candidatesFor(config: Pick<ModelConfig, 'id' | 'providerKind'>, request: PoolRequest): Promise<CredentialCandidate[]> {
    const pool = (await this.accounts.accountsForModel(config.id)).filter((a) => !isSidelined(a.status) && a.providerKind === config.providerKind)
    if (pool.length === 0) return []
    const nowMs = this.clock.now().getTime()
    const live = pool.length > 1 ? await this.liveCooldowns(pool.map((a) => a.id)) : new Map<string, number>()
    const members = pool.map((account): Member => ({
      account,
      key: account.id,
      weight: account.weight,
      cooldownUntilMs: laterOf(persistedCooldown(account), live.get(account.id) ?? null),
    }))
    const ordered = await this.withSticky(order(members, nowMs, this.random), request, nowMs)
    return ordered.flatMap((m) => this.candidateOf(m.account))
  }

  reportFailure(accountId: string, failure: CallFailure): void {
    void this.applyFailure(accountId, failure).catch((err: unknown) => this.log.warn({ err, accountId }, 'could not record an upstream account failure'))
  }

  reportSuccess(accountId: string, request: PoolRequest): void {
    if (!request.stickyKey || this.options.stickyTtlMs <= 0) return
    this.sticky.set(request.stickyKey, accountId, this.options.stickyTtlMs).catch((err: unknown) => this.log.warn({ err }, 'could not record a sticky route'))
  }

  private async applyFailure(accountId: string, failure: CallFailure): Promise<void> {
    const account = (await this.accounts.findById(accountId)) ?? undefined
    if (!account || isSidelined(account.status)) return
    const change = statusAfterFailure(failure, account.authType, this.clock.now().getTime())
    if (!change) return
    this.log.warn({ accountId, provider: account.providerKind, status: failure.status, code: failure.code, next: change.status }, 'upstream account set aside')
    this.metrics.accountStatusChanged(account.providerKind, change.status)
    if (change.untilMs !== null) await this.health.coolDown(accountId, change.untilMs, failure.status)
    await this.persist(account, change)
  }

  private async persist(account: StoredAccount, change: StatusChange): Promise<void> {
    const until = change.untilMs === null ? null : new Date(change.untilMs)
    // A cooldown never shortens a longer one already stored.
    if (until && account.statusUntil && account.statusUntil > until && account.status !== 'active') return
    await this.accounts.update(account.id, { status: change.status, statusReason: change.reason, statusUntil: until })
    if (change.untilMs !== null) return
    await this.audit.record({
      actorId: null,
      action: change.status === 'blocked' ? 'accounts.blocked' : 'accounts.needs_reauth',
      targetType: 'upstream_account',
      targetId: account.id,
      metadata: { name: account.name, providerKind: account.providerKind, reason: change.reason },
    })
  }

  private async liveCooldowns(ids: string[]): Promise<Map<string, number>> {
    try {
      const states = await this.health.states(ids)
      return new Map([...states].map(([id, s]) => [id, s.cooldownUntilMs]))
    } catch (err) {
      this.log.warn({ err }, 'could not read account cooldowns; treating every account as ready')
      return new Map()
    }
  }

  private async withSticky(ordered: Member[], request: PoolRequest, nowMs: number): Promise<Member[]> {
    if (!request.stickyKey || this.options.stickyTtlMs <= 0 || ordered.length < 2) return ordered
    const accountId = await this.sticky.get(request.stickyKey).catch(() => null)
    const index = ordered.findIndex((m) => m.account.id === accountId)
    if (index <= 0 || isCooling(ordered[index]!.cooldownUntilMs, nowMs)) return ordered
    return [ordered[index]!, ...ordered.slice(0, index), ...ordered.slice(index + 1)]
  }

  /** An account whose secrets cannot be opened is skipped (and logged). */
  private candidateOf(account: StoredAccount): CredentialCandidate[] {
    try {
      const secrets = JSON.parse(this.box.open(account.secret.ciphertext, accountSecretAad(account.id))) as AccountSecrets
      const proxyUrl = account.proxy ? this.box.open(account.proxy.ciphertext, accountProxyAad(account.id)) : null
      const oauth = account.authType === 'oauth'
      const codeAssist = oauth && account.providerKind === 'gemini'
      return [
        {
          credentialId: account.id,
          accountId: account.id,
          apiKey: oauth ? '' : (secrets.apiKey ?? ''),
          authType: account.authType,
          baseUrl: account.baseUrl ?? (codeAssist ? CODE_ASSIST_BASE_URL : null),
          proxyUrl,
          projectId: account.projectId,
          ...(oauth ? { token: (rejected?: string) => this.tokens.accessToken(account, { rejected }) } : {}),
        },
      ]
    } catch (err) {
      this.log.error({ err, accountId: account.id }, 'an upstream account cannot be decrypted; skipped')
      return []
    }
  }
}

function persistedCooldown(account: StoredAccount): number | null {
  const cooling = account.status === 'cooling_down' || account.status === 'rate_limited'
  return cooling && account.statusUntil ? account.statusUntil.getTime() : null
}

/** Priority groups (lower first), weighted random inside each; every cooling account after every ready one. */
function order(members: Member[], nowMs: number, random: RandomSource): Member[] {
  const ready = members.filter((m) => !isCooling(m.cooldownUntilMs, nowMs))
  const cooling = members.filter((m) => isCooling(m.cooldownUntilMs, nowMs)).sort((a, b) => a.cooldownUntilMs! - b.cooldownUntilMs!)
  const priorities = [...new Set(ready.map((m) => m.account.priority))].sort((a, b) => a - b)
  return [...priorities.flatMap((p) => orderForUse(ready.filter((m) => m.account.priority === p), nowMs, random)), ...cooling]
}
