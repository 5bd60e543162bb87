import { token } from '../../shared/di.ts'

/**
 * The pure policy of a credential pool: which key a request tries first, which next, and how long a
 * key that failed sits out. No I/O; the random source and the time are passed in.
 */

/** One key of a model: a pooled credential, or the model's own key. */
export interface PoolMember {
  /** Health key (see healthKeyOf). */
  key: string
  /** 1..100; the model's own key counts as 1. */
  weight: number
  /** The end of its cooldown in epoch ms, or null when it is ready. */
  cooldownUntilMs: number | null
}

/** Weight of the model's own key in the selection: it counts as one more credential of weight 1. */
export const OWN_KEY_WEIGHT = 1
export const MIN_WEIGHT = 1
export const MAX_WEIGHT = 100
/** At most this many pooled credentials per model: the pool is decrypted whole on every request. */
export const MAX_POOL_SIZE = 20

/** A uniform random number in [0, 1), like Math.random. Bound in DI so tests can make the selection deterministic. */
export type RandomSource = () => number
export const PoolRandom = token<RandomSource>('PoolRandom')

/** The health key of a pooled credential is its id; the model's own key gets one derived from the model. */
export const healthKeyOf = (modelConfigId: string, credentialId: string | null): string =>
  credentialId ?? `model-config:${modelConfigId}`

export const isCooling = (cooldownUntilMs: number | null, nowMs: number): boolean => cooldownUntilMs !== null && cooldownUntilMs > nowMs

/**
 * The order in which a request tries the members: the ready ones by weighted random draws without
 * replacement (so the FIRST choice is exactly proportional to weight), then the cooling ones, the
 * one whose cooldown ends first leading (trying a cooling key beats failing outright).
 */
export function orderForUse<T extends PoolMember>(members: readonly T[], nowMs: number, random: RandomSource): T[] {
  const ready = members.filter((m) => !isCooling(m.cooldownUntilMs, nowMs))
  const cooling = members.filter((m) => isCooling(m.cooldownUntilMs, nowMs)).sort((a, b) => a.cooldownUntilMs! - b.cooldownUntilMs!)
  const ordered: T[] = []
  while (ready.length) {
    const total = ready.reduce((sum, m) => sum + Math.max(0, m.weight), 0)
    let point = random() * total
    let index = ready.findIndex((m) => (point -= Math.max(0, m.weight)) < 0)
    if (index < 0) index = ready.length - 1 // total 0, or random() rounding up to 1
    ordered.push(...ready.splice(index, 1))
  }
  return [...ordered, ...cooling]
}

/** What a failed call tells the policy. `code` is the ProviderError code. */
export interface CallFailure {
  status: number
  code: string
  retryAfterSeconds?: number
  /** The dialect's own error type (permission_error, invalid_grant, proxy...). */
  providerCode?: string
  /** The provider's message, key redacted: only matched against, never stored whole. */
  providerMessage?: string
}

const SECOND = 1000
const MINUTE = 60 * SECOND
/**
 * How long a key sits out after a failure:
 *   401/403 or PROVIDER_AUTH_FAILED (Gemini: 400 API_KEY_INVALID): 30 min, the key is most likely bad
 *   429 / PROVIDER_RATE_LIMITED: the provider's retry-after (1 s..1 h), else 60 s
 *   503 and 529 (overloaded): 30 s
 *   other 5xx, 408, a network failure (status 0) or PROVIDER_UNAVAILABLE in a stream: 15 s
 */
export const COOLDOWN_MS = {
  auth: 30 * MINUTE,
  rateLimit: 60 * SECOND,
  overloaded: 30 * SECOND,
  unavailable: 15 * SECOND,
  maxRetryAfter: 60 * MINUTE,
  minRetryAfter: SECOND,
} as const

/**
 * The cooldown a failure earns the key, or null when the failure is not the key's fault (a bad
 * request, a too-long context...): then another key would fail the same way, so nobody fails over.
 */
export function cooldownFor({ status, code, retryAfterSeconds }: CallFailure): number | null {
  if (status === 401 || status === 403 || code === 'PROVIDER_AUTH_FAILED') return COOLDOWN_MS.auth
  if (status === 429 || code === 'PROVIDER_RATE_LIMITED') {
    if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds)) return COOLDOWN_MS.rateLimit
    return Math.min(COOLDOWN_MS.maxRetryAfter, Math.max(COOLDOWN_MS.minRetryAfter, Math.ceil(retryAfterSeconds * SECOND)))
  }
  if (status === 503 || status === 529) return COOLDOWN_MS.overloaded
  if (status >= 500 || status === 408 || status === 0 || code === 'PROVIDER_UNAVAILABLE') return COOLDOWN_MS.unavailable
  return null
}

/** The later of two cooldown ends (the shared health state and the row persisted for the admin view). */
export function laterOf(a: number | null, b: number | null): number | null {
  if (a === null) return b
  if (b === null) return a
  return Math.max(a, b)
}
