import { useEffect, useState } from 'preact/hooks'
import { describeError, get } from '../api.ts'
import { ErrorBox } from '../components/ui.tsx'
import { BucketTable, TokensByDay, TotalsRow } from '../components/usage-view.tsx'
import { LIMIT_FIELDS, type Limits, type UsageBucket, type UsageTotals } from '../usage-types.ts'

interface Summary {
  from: string
  to: string
  totals: UsageTotals
  byDay: UsageBucket[]
  byModel: UsageBucket[]
  limits: Limits
}

export function MyUsagePage() {
  const [summary, setSummary] = useState<Summary | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    get<Summary>('/api/usage').then(setSummary, (err) => setError(describeError(err)))
  }, [])
  return (
    <div>
      <h1>My usage</h1>
      <ErrorBox message={error} />
      {summary && (
        <>
          <p class="muted">
            {summary.from.slice(0, 10)} to {summary.to.slice(0, 10)}
          </p>
          <TotalsRow totals={summary.totals} />
          <TokensByDay days={summary.byDay} from={summary.from} to={summary.to} />
          <h2>By model</h2>
          <BucketTable items={summary.byModel} keyTitle="Model" />
          <h2>My limits</h2>
          <ul>
            {LIMIT_FIELDS.map(([field, label]) => (
              <li key={field}>
                {label}: {summary.limits[field] ?? 'no limit'}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  )
}
