import type { AccountFilter, UpstreamAccountRepository } from '../upstream-account.repository.port.ts'
import type { AccountChanges, NewAccount, RefreshedTokens, StoredAccount } from '../upstream-account.ts'

const copy = <T>(value: T): T => structuredClone(value)

const oldestFirst = (a: StoredAccount, b: StoredAccount): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * The accounts table and the model -> account pool table in memory, with the semantics of the
 * Prisma adapter: copies in and out, oldest first, all-or-nothing createMany, a compare-and-set on
 * the refresh fence, and pool memberships that go with a deleted account (or model, see
 * `deleteModel`). Model configs live in another slice: any model id is accepted here.
 */
export class InMemoryUpstreamAccountRepository implements UpstreamAccountRepository {
  readonly accounts = new Map<string, StoredAccount>()
  /** modelConfigId -> account ids. */
  readonly pools = new Map<string, Set<string>>()

  constructor(private readonly now: () => Date = () => new Date()) {}

  async create(account: NewAccount): Promise<StoredAccount> {
    if (this.accounts.has(account.id)) throw new Error(`duplicate upstream account id ${account.id}`)
    const stored = this.build(account, this.now())
    this.accounts.set(stored.id, stored)
    return copy(stored)
  }

  async createMany(accounts: NewAccount[]): Promise<StoredAccount[]> {
    const seen = new Set<string>()
    for (const account of accounts) {
      if (this.accounts.has(account.id) || seen.has(account.id)) throw new Error(`duplicate upstream account id ${account.id}`)
      seen.add(account.id)
    }
    const at = this.now()
    const stored = accounts.map((account) => this.build(account, at))
    for (const account of stored) this.accounts.set(account.id, account)
    return stored.map(copy)
  }

  async findById(id: string): Promise<StoredAccount | null> {
    const found = this.accounts.get(id)
    return found ? copy(found) : null
  }

  async list(filter: AccountFilter = {}): Promise<StoredAccount[]> {
    return [...this.accounts.values()]
      .filter((a) => (filter.providerKind === undefined || a.providerKind === filter.providerKind) && (filter.status === undefined || a.status === filter.status))
      .sort(oldestFirst)
      .map(copy)
  }

  async update(id: string, changes: AccountChanges): Promise<StoredAccount | null> {
    const current = this.accounts.get(id)
    if (!current) return null
    const defined = Object.fromEntries(Object.entries(copy(changes)).filter(([, v]) => v !== undefined))
    const next: StoredAccount = { ...current, ...defined, updatedAt: this.now() }
    this.accounts.set(id, next)
    return copy(next)
  }

  async delete(id: string): Promise<StoredAccount | null> {
    const found = this.accounts.get(id)
    if (!found) return null
    this.accounts.delete(id)
    for (const members of this.pools.values()) members.delete(id)
    return copy(found)
  }

  async storeRefreshedTokens(id: string, tokens: RefreshedTokens): Promise<boolean> {
    const current = this.accounts.get(id)
    if (!current || tokens.fence <= current.refreshFence) return false
    this.accounts.set(id, {
      ...current,
      secret: copy(tokens.secret),
      hint: tokens.hint,
      tokenExpiresAt: tokens.tokenExpiresAt ? new Date(tokens.tokenExpiresAt) : null,
      scopes: tokens.scopes,
      refreshFence: tokens.fence,
      lastRefreshedAt: new Date(tokens.refreshedAt),
      updatedAt: this.now(),
    })
    return true
  }

  async listExpiring(before: Date): Promise<StoredAccount[]> {
    return (await this.list()).filter(
      (a) =>
        a.authType === 'oauth' &&
        a.status !== 'disabled' &&
        a.status !== 'needs_reauth' &&
        a.tokenExpiresAt !== null &&
        a.tokenExpiresAt.getTime() < before.getTime(),
    )
  }

  async accountsForModel(modelConfigId: string): Promise<StoredAccount[]> {
    const members = this.pools.get(modelConfigId) ?? new Set<string>()
    return [...members]
      .map((id) => this.accounts.get(id))
      .filter((a): a is StoredAccount => a !== undefined)
      .sort(oldestFirst)
      .map(copy)
  }

  async modelsOf(accountId: string): Promise<string[]> {
    return [...this.pools.entries()]
      .filter(([, members]) => members.has(accountId))
      .map(([modelConfigId]) => modelConfigId)
      .sort()
  }

  async replacePool(modelConfigId: string, accountIds: readonly string[]): Promise<void> {
    // Like the foreign key: an unknown account fails the whole replacement.
    for (const id of accountIds) if (!this.accounts.has(id)) throw new Error(`no upstream account ${id}`)
    if (accountIds.length === 0) this.pools.delete(modelConfigId)
    else this.pools.set(modelConfigId, new Set(accountIds))
  }

  /** Test seam: a model config was deleted (in the database its memberships cascade). */
  deleteModel(modelConfigId: string): void {
    this.pools.delete(modelConfigId)
  }

  private build(account: NewAccount, at: Date): StoredAccount {
    return { ...copy(account), refreshFence: 0, lastRefreshedAt: null, createdAt: at, updatedAt: at }
  }
}
