// Fixtures shared by the upstream account repository contracts (accounts, tokens, pools).
import type { UpstreamAccountRepository } from '../upstream-account.repository.port.ts'
import type { NewAccount, RefreshedTokens, StoredAccount } from '../upstream-account.ts'

export interface UpstreamAccountFixture {
  repo: UpstreamAccountRepository
  /** Creates the model config a pool belongs to (a no-op for the fake). */
  addModel(id: string): Promise<void>
  /** Deletes a model config the way its own slice does (the database cascades to its pool). */
  deleteModel(id: string): Promise<void>
  modelExists(id: string): Promise<boolean>
}

let seq = 0
/** Fixed-width ids sort the same in JS, SQLite and PostgreSQL collations, and in creation order. */
export const nextId = (prefix: string) => `${prefix}-${String(++seq).padStart(6, '0')}`
export const sealed = (keyId: string, body: string) => ({ ciphertext: `v1:${keyId}:iv:tag:${body}`, keyId })
export const HOUR = 3600_000
export const T0 = Date.UTC(2026, 5, 1, 12)
export const at = (ms: number) => new Date(T0 + ms)

export const newAccount = (over: Partial<NewAccount> = {}): NewAccount => {
  const id = over.id ?? nextId('acc')
  return {
    id,
    name: `account ${id}`,
    providerKind: 'anthropic',
    authType: 'api_key',
    baseUrl: null,
    proxyDisplay: null,
    priority: 50,
    weight: 1,
    status: 'active',
    statusReason: null,
    statusUntil: null,
    hint: 'wxyz',
    tokenExpiresAt: null,
    scopes: null,
    projectId: null,
    secret: sealed('k1', `secret-${id}`),
    proxy: null,
    ...over,
  }
}

export const tokens = (fence: number, over: Partial<RefreshedTokens> = {}): RefreshedTokens => ({
  secret: sealed('k2', `refreshed-${fence}`),
  hint: `f${String(fence).padStart(3, '0')}`,
  tokenExpiresAt: at(2 * HOUR),
  scopes: 'user:inference user:profile',
  fence,
  refreshedAt: at(fence * 1000),
  ...over,
})

export const ids = (accounts: StoredAccount[]) => accounts.map((a) => a.id)
