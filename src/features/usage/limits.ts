/** Limits for a user or a platform API key; absent = no limit at that level. */
export interface Limits {
  requestsPerMinute?: number
  concurrentStreams?: number
  tokensPerDay?: number
  tokensPerMonth?: number
  /** Cost budget per calendar month in micro-units of the price table's currency. */
  costBudgetMicrosPerMonth?: number
}

export type LimitName = keyof Limits
export const LIMIT_NAMES: readonly LimitName[] = [
  'requestsPerMinute',
  'concurrentStreams',
  'tokensPerDay',
  'tokensPerMonth',
  'costBudgetMicrosPerMonth',
]

/**
 * A user's own limits, set by an admin (User.limits). Per field: a number overrides the system's
 * `defaultUserQuota`, `null` lifts that default for this user, absent keeps the default.
 */
export type UserLimitsOverride = { [K in LimitName]?: number | null }

/** What applies to a user: their override field by field, else the system default. */
export function mergeUserLimits(override: UserLimitsOverride, defaults: Limits): Limits {
  const merged: Limits = {}
  for (const name of LIMIT_NAMES) {
    const value = Object.hasOwn(override, name) ? override[name] : defaults[name]
    if (typeof value === 'number') merged[name] = value
  }
  return merged
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0

/** A stored override (parsed JSON) with anything that is not a known limit dropped. */
export function readOverride(value: unknown): UserLimitsOverride {
  const override: UserLimitsOverride = {}
  if (!value || typeof value !== 'object' || Array.isArray(value)) return override
  for (const name of LIMIT_NAMES) {
    const v = (value as Record<string, unknown>)[name]
    if (v === null || isCount(v)) override[name] = v
  }
  return override
}

/** Stored limits (parsed JSON) with anything that is not a known, positive limit dropped. */
export function readLimits(value: unknown): Limits {
  const limits: Limits = {}
  for (const [name, v] of Object.entries(readOverride(value))) if (isCount(v)) limits[name as LimitName] = v
  return limits
}

/** JSON.parse that yields undefined for damaged text, for stored JSON columns. */
export function parseJsonColumn(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
