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
