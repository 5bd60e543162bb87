import { describe, expect, it } from 'vitest'
import { effectiveStatus, statusAfterFailure } from '../../../src/features/accounts/account-status-policy.ts'

const NOW = Date.UTC(2026, 11, 7, 12)
const f = (status: number, code: string, extra: { retryAfterSeconds?: number; providerCode?: string; providerMessage?: string } = {}) => ({ status, code, ...extra })

describe('statusAfterFailure', () => {
  it.each([
    ['429 with retry-after', f(429, 'PROVIDER_RATE_LIMITED', { retryAfterSeconds: 120 }), 'api_key', 'rate_limited', 120_000],
    ['429 without retry-after', f(429, 'PROVIDER_RATE_LIMITED'), 'oauth', 'rate_limited', 60_000],
    ['529 overloaded', f(529, 'PROVIDER_UNAVAILABLE'), 'oauth', 'cooling_down', 30_000],
    ['503', f(503, 'PROVIDER_UNAVAILABLE'), 'api_key', 'cooling_down', 30_000],
    ['500', f(500, 'PROVIDER_UNAVAILABLE'), 'api_key', 'cooling_down', 15_000],
    ['proxy failure', f(0, 'PROVIDER_UNAVAILABLE', { providerCode: 'proxy' }), 'api_key', 'cooling_down', 15_000],
    ['401 on an API key', f(401, 'PROVIDER_AUTH_FAILED'), 'api_key', 'cooling_down', 30 * 60_000],
  ] as const)('%s', (_name, failure, authType, status, ms) => {
    expect(statusAfterFailure(failure, authType, NOW)).toMatchObject({ status, untilMs: NOW + ms })
  })

  it('a 401 on an OAuth token (already refreshed once by the failover) needs re-authorization', () => {
    expect(statusAfterFailure(f(401, 'PROVIDER_AUTH_FAILED'), 'oauth', NOW)).toMatchObject({ status: 'needs_reauth', untilMs: null })
  })

  it.each([
    ['permission_error', { providerCode: 'permission_error', providerMessage: 'nope' }],
    ['organization disabled', { providerCode: 'forbidden', providerMessage: 'This organization has been disabled.' }],
  ])('a 403 %s blocks the account', (_name, extra) => {
    expect(statusAfterFailure(f(403, 'PROVIDER_AUTH_FAILED', extra), 'oauth', NOW)).toMatchObject({ status: 'blocked', untilMs: null })
  })

  it('leaves invalid_grant (handled by the refresh) and client faults alone', () => {
    expect(statusAfterFailure(f(401, 'PROVIDER_AUTH_FAILED', { providerCode: 'invalid_grant' }), 'oauth', NOW)).toBeNull()
    expect(statusAfterFailure(f(400, 'PROVIDER_BAD_REQUEST'), 'api_key', NOW)).toBeNull()
    expect(statusAfterFailure(f(400, 'CONTEXT_TOO_LONG'), 'api_key', NOW)).toBeNull()
  })

  it('caps a huge retry-after at an hour', () => {
    expect(statusAfterFailure(f(429, 'PROVIDER_RATE_LIMITED', { retryAfterSeconds: 86_400 }), 'api_key', NOW)?.untilMs).toBe(NOW + 3_600_000)
  })
})

describe('effectiveStatus', () => {
  it('a cooldown whose time is up reads as active; admin statuses stay', () => {
    expect(effectiveStatus('cooling_down', new Date(NOW - 1), NOW)).toBe('active')
    expect(effectiveStatus('rate_limited', new Date(NOW + 1000), NOW)).toBe('rate_limited')
    expect(effectiveStatus('blocked', null, NOW)).toBe('blocked')
    expect(effectiveStatus('needs_reauth', null, NOW)).toBe('needs_reauth')
  })
})
