import { useEffect, useState } from 'preact/hooks'
import { describeError, get } from '../api.ts'
import { BarChart, formatTokens } from '../components/bar-chart.tsx'
import { ErrorBox, useAction } from '../components/ui.tsx'
import { BucketTable, TokensByDay, TotalsRow } from '../components/usage-view.tsx'
import type { UsageBucket, UsageTotals } from '../usage-types.ts'

type GroupBy = 'user' | 'model' | 'key'
interface Report {
  from: string
  to: string
  totals: UsageTotals
  items: UsageBucket[]
}
const TITLES: Record<GroupBy, string> = { user: 'User', model: 'Model', key: 'Platform key' }
const isoDay = (d: Date) => d.toISOString().slice(0, 10)

/** Usage over time (per day) and split by user, model or key, for a chosen period. */
export function AdminUsagePage() {
  const [groupBy, setGroupBy] = useState<GroupBy>('user')
  const [from, setFrom] = useState(isoDay(new Date(Date.now() - 29 * 86_400_000)))
  const [to, setTo] = useState(isoDay(new Date()))
  const [days, setDays] = useState<Report | null>(null)
  const [split, setSplit] = useState<Report | null>(null)
  const { error, run } = useAction()
  useEffect(() => {
    run(async () => {
      const range = `from=${from}&to=${to}`
      setDays(await get<Report>(`/api/admin/usage?groupBy=day&${range}`))
      setSplit(await get<Report>(`/api/admin/usage?groupBy=${groupBy}&${range}`))
    }, describeError)
  }, [groupBy, from, to])
  return (
    <div>
      <h1>Usage</h1>
      <div class="row card">
        <label class="row">
          From <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label class="row">
          To <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label class="row">
          By
          <select aria-label="Group by" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as GroupBy)}>
            <option value="user">user</option>
            <option value="model">model</option>
            <option value="key">platform key</option>
          </select>
        </label>
      </div>
      <ErrorBox message={error} />
      {days && <TotalsRow totals={days.totals} />}
      {days && <TokensByDay days={days.items} from={days.from} to={days.to} />}
      {split && (
        <>
          <BarChart title={`Tokens by ${TITLES[groupBy].toLowerCase()}`} bars={split.items.map((b) => ({ label: b.label || b.key || '(none)', value: b.inputTokens + b.outputTokens }))} format={formatTokens} />
          <BucketTable items={split.items} keyTitle={TITLES[groupBy]} />
        </>
      )}
    </div>
  )
}
