export interface UsageTotals {
  requests: number
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  costMicros: number
  errors: number
}
export interface UsageBucket extends UsageTotals {
  key: string
  label?: string
}
export interface Limits {
  requestsPerMinute?: number
  concurrentStreams?: number
  tokensPerDay?: number
  tokensPerMonth?: number
  costBudgetMicrosPerMonth?: number
}
export const LIMIT_FIELDS: [keyof Limits, string][] = [
  ['requestsPerMinute', 'Requests per minute'],
  ['concurrentStreams', 'Concurrent streams'],
  ['tokensPerDay', 'Tokens per day'],
  ['tokensPerMonth', 'Tokens per month'],
  ['costBudgetMicrosPerMonth', 'Cost budget per month (micro-USD)'],
]
