// Every admin use case of the accounts slice wired by hand to fakes (no container).
import type { AccountProbe, ProbeReport } from '../../../src/features/accounts/account-probe.port.ts'
import { RepositoryAccountPools } from '../../../src/features/accounts/account-pools.ts'
import { CreateAccount } from '../../../src/features/accounts/create-account.use-case.ts'
import { DeleteAccount } from '../../../src/features/accounts/delete-account.use-case.ts'
import { ImportAccounts } from '../../../src/features/accounts/import-accounts.use-case.ts'
import { GetAccount, ListAccounts } from '../../../src/features/accounts/list-accounts.use-case.ts'
import type { OAuthFlow, OAuthFlowStore } from '../../../src/features/accounts/oauth/oauth-flow.store.port.ts'
import type { OAuthProfile } from '../../../src/features/accounts/oauth/oauth-profile.ts'
import type { CodeExchange, OAuthTokenClient, TokenSet } from '../../../src/features/accounts/oauth/oauth-token-client.port.ts'
import { ReplaceModelPool } from '../../../src/features/accounts/replace-model-pool.use-case.ts'
import { ResetAccount } from '../../../src/features/accounts/reset-account.use-case.ts'
import { TestAccount } from '../../../src/features/accounts/test-account.use-case.ts'
import { InMemoryUpstreamAccountRepository } from '../../../src/features/accounts/testing/in-memory-upstream-account.repository.ts'
import { UpdateAccount } from '../../../src/features/accounts/update-account.use-case.ts'
import { accountProxyAad, accountSecretAad, type AccountSecrets, type StoredAccount } from '../../../src/features/accounts/upstream-account.ts'
import { InMemoryAuditLog } from '../../../src/features/audit/testing/in-memory-audit-log.ts'
import { InProcessCredentialHealth } from '../../../src/features/models/adapters/in-process-credential-health.ts'
import { CreateModelConfig } from '../../../src/features/models/create-model-config.use-case.ts'
import { InMemoryModelStore } from '../../../src/features/models/testing/in-memory-model-store.ts'
import { InMemoryUserRepository } from '../../../src/features/users/testing/in-memory-user.repository.ts'
import type { Actor } from '../../../src/shared/actor.ts'
import type { Clock } from '../../../src/shared/clock.port.ts'
import { AesGcmSecretBox } from '../../../src/shared/crypto/aes-gcm-secret-box.ts'
import { noMetrics } from '../../../src/shared/metrics.port.ts'
import type { OutboundRoute } from '../../../src/shared/outbound/outbound-transport.port.ts'
import { ManualClock, SequentialIds } from '../../../src/shared/testing/fakes.ts'

export const root: Actor = { userId: 'u-root', username: 'root', role: 'ADMIN' }
export const other: Actor = { userId: 'u-other', username: 'other', role: 'ADMIN' }
export const API_KEY = 'sk-ant-api-key-0123456789abKEY1'
export const ACCESS = 'sk-ant-oat01-access-0123456789ACC1'
export const REFRESH = 'sk-ant-ort01-refresh-0123456789REF1'
export const PROXY = 'socks5://bob:hunter2-proxy-pw@10.0.0.1:1080'

/** The flow store's semantics in memory: expiry by the clock, take() at most once. */
export class MemoryFlowStore implements OAuthFlowStore {
  readonly flows = new Map<string, OAuthFlow>()
  constructor(private readonly clock: Clock) {}
  async save(flow: OAuthFlow): Promise<void> {
    this.flows.set(flow.flowId, structuredClone(flow))
  }
  async take(flowId: string): Promise<OAuthFlow | null> {
    const flow = await this.peek(flowId)
    this.flows.delete(flowId)
    return flow
  }
  async peek(flowId: string): Promise<OAuthFlow | null> {
    const flow = this.flows.get(flowId)
    if (!flow || flow.expiresAt.getTime() <= this.clock.now().getTime()) return null
    return structuredClone(flow)
  }
}

export interface ExchangeCall {
  profile: OAuthProfile
  exchange: CodeExchange
  route: OutboundRoute
}

export class FakeExchange implements OAuthTokenClient {
  readonly calls: ExchangeCall[] = []
  readonly failures: Error[] = []
  constructor(private readonly clock: Clock) {}
  async exchangeCode(profile: OAuthProfile, exchange: CodeExchange, route: OutboundRoute): Promise<TokenSet> {
    this.calls.push({ profile, exchange, route })
    const failure = this.failures.shift()
    if (failure) throw failure
    return { accessToken: ACCESS, refreshToken: REFRESH, expiresAt: new Date(this.clock.now().getTime() + 3600_000), scopes: 'user:profile user:inference' }
  }
  async refresh(): Promise<TokenSet> {
    throw new Error('not used here')
  }
}

export class FakeProbe implements AccountProbe {
  readonly probed: string[] = []
  report: ProbeReport = { proxy: null, upstream: { ok: true, latencyMs: 12, status: 200 } }
  async probe(account: StoredAccount): Promise<ProbeReport> {
    this.probed.push(account.id)
    return this.report
  }
}

export class RecordingHealth extends InProcessCredentialHealth {
  readonly cleared: string[] = []
  override async clear(key: string): Promise<void> {
    this.cleared.push(key)
    await super.clear(key)
  }
}

export async function accountsKit() {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z')
  const tick = () => {
    clock.advance(1)
    return clock.now()
  }
  const repo = new InMemoryUpstreamAccountRepository(tick)
  const box = new AesGcmSecretBox(Buffer.alloc(32, 3))
  const ids = new SequentialIds('acc')
  const audit = new InMemoryAuditLog()
  const health = new RecordingHealth(clock)
  const flows = new MemoryFlowStore(clock)
  const tokenClient = new FakeExchange(clock)
  const probe = new FakeProbe()
  const models = new InMemoryModelStore(tick)
  const users = new InMemoryUserRepository(() => clock.now())
  await users.create({ id: root.userId, username: root.username, passwordHash: 'x', role: 'ADMIN' })
  const pools = new RepositoryAccountPools(repo)
  const create = new CreateAccount(repo, box, ids, audit)
  return {
    clock,
    repo,
    box,
    audit,
    health,
    flows,
    tokenClient,
    probe,
    models,
    pools,
    create,
    importMany: new ImportAccounts(repo, box, ids, audit),
    list: new ListAccounts(repo),
    get: new GetAccount(repo),
    update: new UpdateAccount(repo, box, health, audit),
    remove: new DeleteAccount(repo, health, audit),
    reset: new ResetAccount(repo, health, audit, noMetrics),
    test: new TestAccount(repo, probe),
    replacePool: new ReplaceModelPool(models, pools, audit),
    createModel: new CreateModelConfig(models, box, users, new SequentialIds('mc'), audit, pools),
    secretsOf(id: string): AccountSecrets {
      const account = repo.accounts.get(id)!
      return JSON.parse(box.open(account.secret.ciphertext, accountSecretAad(id))) as AccountSecrets
    },
    proxyOf(id: string): string | null {
      const account = repo.accounts.get(id)!
      return account.proxy ? box.open(account.proxy.ciphertext, accountProxyAad(id)) : null
    },
  }
}
export type AccountsKit = Awaited<ReturnType<typeof accountsKit>>

/** Fails when any of the secrets appears anywhere in `values` (serialized). */
export function expectNoSecret(values: unknown, secrets: readonly string[] = [API_KEY, ACCESS, REFRESH, 'hunter2-proxy-pw']): void {
  const text = JSON.stringify(values)
  for (const secret of secrets) if (text.includes(secret)) throw new Error(`a secret (…${secret.slice(-4)}) leaked into ${text.slice(0, 200)}`)
}
