/** Limits for a user or a platform API key; absent = no limit at that level. */
export interface Limits {
  requestsPerMinute?: number
  concurrentStreams?: number
  tokensPerDay?: number
  tokensPerMonth?: number
  /** Cost budget per calendar month in micro-units of the price table's currency. */
  costBudgetMicrosPerMonth?: number
}
