import { ValidationFailed } from '../../shared/errors.ts'
import type { UsageBucket } from './usage-stats.port.ts'

export const MAX_RANGE_DAYS = 366
export const DEFAULT_RANGE_DAYS = 30
const DAY_MS = 86_400_000
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * The [from, to) a statistics query covers. A date without a time is a whole UTC day, so
 * `from=2026-01-01&to=2026-01-31` is all of January. Default: the last 30 days.
 */
export function usageRange(from: string | undefined, to: string | undefined, now: Date): { from: Date; to: Date } {
  const end = to === undefined ? now : parseBound(to, 'to', true)
  const start = from === undefined ? new Date(end.getTime() - DEFAULT_RANGE_DAYS * DAY_MS) : parseBound(from, 'from', false)
  if (start >= end) throw new ValidationFailed('"from" must be before "to"', [{ location: 'query', path: 'from', message: 'must be before "to"' }])
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new ValidationFailed(`The range may span at most ${MAX_RANGE_DAYS} days`, [
      { location: 'query', path: 'from', message: `at most ${MAX_RANGE_DAYS} days before "to"` },
    ])
  }
  return { from: start, to: end }
}

function parseBound(value: string, name: string, inclusiveDay: boolean): Date {
  const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value)
  if (Number.isNaN(date.getTime())) {
    throw new ValidationFailed(`"${name}" is not a date`, [{ location: 'query', path: name, message: 'must be YYYY-MM-DD or an ISO 8601 date-time' }])
  }
  return inclusiveDay && DATE_ONLY.test(value) ? new Date(date.getTime() + DAY_MS) : date
}

export type UsageTotalsView = Omit<UsageBucket, 'key' | 'label'>

export function sumBuckets(buckets: UsageBucket[]): UsageTotalsView {
  const totals = { requests: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costMicros: 0, errors: 0 }
  for (const b of buckets) for (const name of Object.keys(totals) as (keyof typeof totals)[]) totals[name] += b[name]
  return totals
}
