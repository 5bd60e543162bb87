import { COOLDOWN_MS, type CallFailure } from '../models/credential-pool.ts'
import type { AccountAuthType, AccountStatus } from './upstream-account.ts'

export interface StatusChange {
  status: Exclude<AccountStatus, 'active' | 'disabled'>
  /** End of a cooling_down / rate_limited status (epoch ms); null for the statuses only an admin ends. */
  untilMs: number | null
  reason: string
}

/** Anthropic and others say a ban in words on a 403. */
const BANNED = /organi[sz]ation (has been )?(disabled|suspended)|account (has been )?(disabled|suspended|banned)|permission_error/i

const cool = (status: StatusChange['status'], ms: number, nowMs: number, reason: string): StatusChange => ({ status, untilMs: nowMs + ms, reason })

/**
 * What a failed call does to the account that made it (before anything went downstream):
 *   429: rate_limited until the provider's retry-after / rate-limit reset (else 60 s)
 *   529 and 503 (overloaded): cooling_down 30 s; other 5xx, 408, network and proxy failures: 15 s
 *   403 that says the account or organization is disabled (permission_error): blocked
 *   other 401/403: an API key sits out 30 min; an OAuth token refused right after a refresh: needs_reauth
 *   invalid_grant: already set aside by the refresh itself (AccountTokens): nothing more here
 * null: not the account's fault (a bad request, a too-long context), so nothing changes.
 */
export function statusAfterFailure(failure: CallFailure, authType: AccountAuthType, nowMs: number): StatusChange | null {
  const { status, code, retryAfterSeconds, providerCode = '', providerMessage = '' } = failure
  if (providerCode === 'invalid_grant') return null
  if (status === 403 && (BANNED.test(providerCode) || BANNED.test(providerMessage))) {
    return { status: 'blocked', untilMs: null, reason: 'the provider refused the account itself (403 permission / organization disabled)' }
  }
  if (status === 401 || status === 403 || code === 'PROVIDER_AUTH_FAILED') {
    if (authType === 'oauth' && status === 401) {
      return { status: 'needs_reauth', untilMs: null, reason: 'the provider refused the access token even after a refresh (401): authorize the account again' }
    }
    return cool('cooling_down', COOLDOWN_MS.auth, nowMs, `the provider refused the credential (${status})`)
  }
  if (status === 429 || code === 'PROVIDER_RATE_LIMITED') {
    const waitMs =
      retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds)
        ? COOLDOWN_MS.rateLimit
        : Math.min(COOLDOWN_MS.maxRetryAfter, Math.max(COOLDOWN_MS.minRetryAfter, Math.ceil(retryAfterSeconds * 1000)))
    return cool('rate_limited', waitMs, nowMs, 'rate limited by the provider (429)')
  }
  if (status === 503 || status === 529) return cool('cooling_down', COOLDOWN_MS.overloaded, nowMs, `the provider is overloaded (${status})`)
  if (status >= 500 || status === 408 || status === 0 || code === 'PROVIDER_UNAVAILABLE') {
    const what = status === 0 ? (providerCode === 'proxy' ? 'the proxy failed' : 'network failure') : `HTTP ${status}`
    return cool('cooling_down', COOLDOWN_MS.unavailable, nowMs, `the provider was unavailable (${what})`)
  }
  return null
}

/** A cooling_down / rate_limited status whose time is up reads as active. */
export function effectiveStatus(status: AccountStatus, statusUntil: Date | null, nowMs: number): AccountStatus {
  if ((status === 'cooling_down' || status === 'rate_limited') && (statusUntil === null || statusUntil.getTime() <= nowMs)) return 'active'
  return status
}
