import { token } from '../../shared/di.ts'

export type UsageDimension = 'day' | 'model' | 'user' | 'key'

export interface UsageFilter {
  from: Date
  to: Date
  userId?: string
}

/** Totals of one group: a day (`YYYY-MM-DD`, UTC), a model id, a user id or an API key id. */
export interface UsageBucket {
  key: string
  /** A readable name where there is one (username, key name); absent for days and models. */
  label?: string
  requests: number
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  costMicros: number
  /** Requests that ended with status `error`. */
  errors: number
}

/** Aggregations over the recorded usage, on SQLite and PostgreSQL alike. */
export interface UsageStats {
  /** Groups ordered by key; for `key`, requests without an API key are grouped under `''`. */
  totals(filter: UsageFilter, by: UsageDimension): Promise<UsageBucket[]>
}
export const UsageStats = token<UsageStats>('UsageStats')
