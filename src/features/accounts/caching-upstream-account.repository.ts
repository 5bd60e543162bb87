import type { CacheInvalidation } from '../../shared/cache-invalidation.port.ts'
import type { Clock } from '../../shared/clock.port.ts'
import { deepFreeze } from '../../shared/deep-freeze.ts'
import { InvalidatedCache } from '../../shared/invalidated-cache.ts'
import type { AccountFilter, UpstreamAccountRepository } from './upstream-account.repository.port.ts'
import type { AccountChanges, NewAccount, RefreshedTokens, StoredAccount } from './upstream-account.ts'

/** Invalidation topic of upstream accounts and pools; every write drops the whole cache (writes are rare). */
export const UPSTREAM_ACCOUNTS_TOPIC = 'upstream-accounts'

/**
 * A model's pool from memory (read on every chat reply and relay call of a pooled model); every
 * write publishes an invalidation that each replica applies before its next read. Single-account
 * reads (findById: the refresh path) always go to the store.
 */
export class CachingUpstreamAccountRepository implements UpstreamAccountRepository {
  private readonly pools: InvalidatedCache<StoredAccount[]>

  constructor(
    private readonly inner: UpstreamAccountRepository,
    private readonly invalidation: CacheInvalidation,
    clock: Clock,
    options = { maxAgeMs: 60_000, maxEntries: 10_000 },
  ) {
    this.pools = new InvalidatedCache<StoredAccount[]>({ ...options, now: () => clock.now().getTime() })
    invalidation.subscribe(UPSTREAM_ACCOUNTS_TOPIC, () => this.pools.drop(() => true))
  }

  accountsForModel(modelConfigId: string): Promise<StoredAccount[]> {
    return this.pools.get(modelConfigId, async () => deepFreeze(await this.inner.accountsForModel(modelConfigId)))
  }

  create(account: NewAccount): Promise<StoredAccount> {
    return this.changed(this.inner.create(account))
  }
  createMany(accounts: NewAccount[]): Promise<StoredAccount[]> {
    return this.changed(this.inner.createMany(accounts))
  }
  update(id: string, changes: AccountChanges): Promise<StoredAccount | null> {
    return this.changed(this.inner.update(id, changes))
  }
  delete(id: string): Promise<StoredAccount | null> {
    return this.changed(this.inner.delete(id))
  }
  storeRefreshedTokens(id: string, tokens: RefreshedTokens): Promise<boolean> {
    return this.changed(this.inner.storeRefreshedTokens(id, tokens))
  }
  replacePool(modelConfigId: string, accountIds: readonly string[]): Promise<void> {
    return this.changed(this.inner.replacePool(modelConfigId, accountIds))
  }

  findById(id: string): Promise<StoredAccount | null> {
    return this.inner.findById(id)
  }
  list(filter?: AccountFilter): Promise<StoredAccount[]> {
    return this.inner.list(filter)
  }
  listExpiring(before: Date): Promise<StoredAccount[]> {
    return this.inner.listExpiring(before)
  }
  modelsOf(accountId: string): Promise<string[]> {
    return this.inner.modelsOf(accountId)
  }

  private async changed<T>(write: Promise<T>): Promise<T> {
    const result = await write
    await this.invalidation.publish(UPSTREAM_ACCOUNTS_TOPIC, null)
    return result
  }
}
