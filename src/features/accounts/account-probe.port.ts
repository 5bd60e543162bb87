import { token } from '../../shared/di.ts'
import type { StoredAccount } from './upstream-account.ts'

export interface ProbeStep {
  ok: boolean
  latencyMs: number
  /** Upstream HTTP status (0: no answer). */
  status?: number
  /** A short code: proxy_unreachable, proxy_auth_failed, timeout, PROVIDER_AUTH_FAILED... never a body. */
  code?: string
  message?: string
}

export interface ProbeReport {
  /** null: the account has no proxy. */
  proxy: ProbeStep | null
  /** Does the provider accept the account's credential (a minimal request through the same route)? */
  upstream: ProbeStep
}

/** The health check of `POST /api/admin/accounts/{id}/test`: proxy reachability and upstream auth, separately. */
export interface AccountProbe {
  probe(account: StoredAccount): Promise<ProbeReport>
}
export const AccountProbe = token<AccountProbe>('AccountProbe')
