import type { AccountAuthType, AccountStatus, StoredAccount, UpstreamAccount } from './upstream-account.ts'
import type { ProviderKind } from '../providers/ai-provider.port.ts'

/**
 * What the admin API shows of an upstream account: the UpstreamAccount fields picked one by one (so a
 * secret added to StoredAccount later can never slip out), dates as ISO strings, and the models it serves.
 */
export interface AccountView {
  id: string
  name: string
  providerKind: ProviderKind
  authType: AccountAuthType
  baseUrl: string | null
  proxyDisplay: string | null
  priority: number
  weight: number
  enabled: boolean
  status: AccountStatus
  statusReason: string | null
  statusUntil: string | null
  hint: string
  tokenExpiresAt: string | null
  scopes: string | null
  projectId: string | null
  lastRefreshedAt: string | null
  createdAt: string
  updatedAt: string
  /** Ids of the system models whose pool holds this account. */
  models: string[]
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null)

export function accountView(account: UpstreamAccount | StoredAccount, models: readonly string[] = []): AccountView {
  return {
    id: account.id,
    name: account.name,
    providerKind: account.providerKind,
    authType: account.authType,
    baseUrl: account.baseUrl,
    proxyDisplay: account.proxyDisplay,
    priority: account.priority,
    weight: account.weight,
    enabled: account.status !== 'disabled',
    status: account.status,
    statusReason: account.statusReason,
    statusUntil: iso(account.statusUntil),
    hint: account.hint,
    tokenExpiresAt: iso(account.tokenExpiresAt),
    scopes: account.scopes,
    projectId: account.projectId,
    lastRefreshedAt: iso(account.lastRefreshedAt),
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
    models: [...models],
  }
}
