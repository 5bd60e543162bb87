import { AppError } from '../../shared/errors.ts'
import type { LimitName, Limits } from './limits.ts'

/**
 * The limit rules as pure functions, shared by the in-process gate (which applies them directly) and
 * the Redis gate (whose Lua scripts apply the same rules atomically and report which one tripped).
 *
 * Windows: requests per minute is a sliding 60 s window; concurrency counts held leases; token and
 * cost quotas are calendar windows in UTC (day, month). Token quotas count input + output tokens.
 */
export const RPM_WINDOW_MS = 60_000
/** Nothing says when a stream ends, so a concurrency rejection suggests a short wait. */
export const CONCURRENCY_RETRY_MS = 1_000

export type LimitScope = 'user' | 'key'

export interface Windows {
  /** `YYYY-MM-DD` and `YYYY-MM`, in UTC. */
  day: string
  month: string
  dayEndsAt: number
  monthEndsAt: number
}

export function windowsAt(nowMs: number): Windows {
  const now = new Date(nowMs)
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  const iso = now.toISOString()
  return {
    day: iso.slice(0, 10),
    month: iso.slice(0, 7),
    dayEndsAt: Date.UTC(y, m, now.getUTCDate() + 1),
    monthEndsAt: Date.UTC(y, m + 1, 1),
  }
}

export const dayStart = (w: Windows): Date => new Date(w.dayEndsAt - 86_400_000)
export const monthStart = (w: Windows): Date => new Date(`${w.month}-01T00:00:00.000Z`)

/** What one request may use: reserved at admission, replaced by the real figures at settlement. */
export interface Demand {
  tokens: number
  costMicros: number
}

/** One scope's current use, as the gate sees it just before admitting. */
export interface ScopeUsage {
  /** Admission times (ms) within the last minute, oldest first. */
  recentRequests: number[]
  activeStreams: number
  tokensToday: number
  tokensThisMonth: number
  costMicrosThisMonth: number
}

export interface Breach {
  limit: LimitName
  limitValue: number
  used: number
  requested: number
  retryAfterMs: number
}

/** The first limit this request would break, checked in a fixed order; null when it may go. */
export function firstBreach(limits: Limits, usage: ScopeUsage, demand: Demand, nowMs: number, w: Windows): Breach | null {
  const rpm = limits.requestsPerMinute
  if (rpm !== undefined) {
    const recent = usage.recentRequests.filter((t) => t > nowMs - RPM_WINDOW_MS)
    if (recent.length >= rpm) {
      // The window frees when the oldest request still counted leaves it.
      const oldest = recent[Math.max(0, recent.length - rpm)]!
      return { limit: 'requestsPerMinute', limitValue: rpm, used: recent.length, requested: 1, retryAfterMs: oldest + RPM_WINDOW_MS - nowMs }
    }
  }
  const streams = limits.concurrentStreams
  if (streams !== undefined && usage.activeStreams >= streams) {
    return { limit: 'concurrentStreams', limitValue: streams, used: usage.activeStreams, requested: 1, retryAfterMs: CONCURRENCY_RETRY_MS }
  }
  const quotas: [LimitName, number | undefined, number, number, number][] = [
    ['tokensPerDay', limits.tokensPerDay, usage.tokensToday, demand.tokens, w.dayEndsAt],
    ['tokensPerMonth', limits.tokensPerMonth, usage.tokensThisMonth, demand.tokens, w.monthEndsAt],
    ['costBudgetMicrosPerMonth', limits.costBudgetMicrosPerMonth, usage.costMicrosThisMonth, demand.costMicros, w.monthEndsAt],
  ]
  for (const [limit, limitValue, used, requested, endsAt] of quotas) {
    if (limitValue !== undefined && used + requested > limitValue) {
      return { limit, limitValue, used, requested, retryAfterMs: endsAt - nowMs }
    }
  }
  return null
}

/** What a scope reserves at admission: only against the quotas that are set. */
export interface Reservation {
  tokensDay: number
  tokensMonth: number
  costMicros: number
  /** A lease is held when there is a concurrency limit or anything reserved to give back on expiry. */
  lease: boolean
}

export function reservationFor(limits: Limits, demand: Demand): Reservation {
  const tokensDay = limits.tokensPerDay !== undefined ? demand.tokens : 0
  const tokensMonth = limits.tokensPerMonth !== undefined ? demand.tokens : 0
  const costMicros = limits.costBudgetMicrosPerMonth !== undefined ? demand.costMicros : 0
  const lease = limits.concurrentStreams !== undefined || tokensDay + tokensMonth + costMicros > 0
  return { tokensDay, tokensMonth, costMicros, lease }
}

const WHO: Record<LimitScope, string> = { user: 'your account', key: 'this API key' }

function duration(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 120) return `${s} s`
  const min = Math.ceil(s / 60)
  if (min < 120) return `${min} min`
  const h = Math.floor(min / 60)
  return h < 48 ? `${h} h ${min % 60} min` : `${Math.ceil(h / 24)} days`
}

const usd = (micros: number) => `$${(micros / 1e6).toFixed(micros < 1_000_000 ? 4 : 2)}`

/** The client-facing error: RATE_LIMITED for rpm and concurrency, QUOTA_EXCEEDED for tokens and cost. */
export function breachError(scope: LimitScope, b: Breach): AppError {
  const who = WHO[scope]
  const wait = duration(b.retryAfterMs)
  const messages: Record<LimitName, string> = {
    requestsPerMinute: `Rate limit reached: ${who} allows ${b.limitValue} requests per minute; retry in ${wait}`,
    concurrentStreams: `Too many concurrent requests: ${who} allows ${b.limitValue} at a time; retry when one finishes`,
    tokensPerDay: `Daily token quota exceeded for ${who}: ${b.used} of ${b.limitValue} tokens used today (UTC) and this request may use up to ${b.requested}; resets in ${wait}`,
    tokensPerMonth: `Monthly token quota exceeded for ${who}: ${b.used} of ${b.limitValue} tokens used this month (UTC) and this request may use up to ${b.requested}; resets in ${wait}`,
    costBudgetMicrosPerMonth: `Monthly cost budget exceeded for ${who}: ${usd(b.used)} of ${usd(b.limitValue)} used this month and this request may cost up to ${usd(b.requested)}; resets in ${wait}`,
  }
  const code = b.limit === 'requestsPerMinute' || b.limit === 'concurrentStreams' ? 'RATE_LIMITED' : 'QUOTA_EXCEEDED'
  const details = { scope, limit: b.limit, limitValue: b.limitValue, used: b.used, requested: b.requested }
  return new AppError(code, messages[b.limit], details, Math.max(1, Math.ceil(b.retryAfterMs / 1000)))
}
