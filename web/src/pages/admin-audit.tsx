import { useEffect, useState } from 'preact/hooks'
import { describeError, get } from '../api.ts'
import { ErrorBox, useAction } from '../components/ui.tsx'

interface AuditRecord {
  id: string
  actorId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  metadata: Record<string, unknown>
  createdAt: string
}

export function AdminAuditPage() {
  const [items, setItems] = useState<AuditRecord[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [action, setAction] = useState('')
  const [actor, setActor] = useState('')
  const { busy, error, run } = useAction()
  const query = (after?: string) => {
    const params = new URLSearchParams({ limit: '50' })
    if (action.trim()) params.set('action', action.trim())
    if (actor.trim()) params.set('actorId', actor.trim())
    if (after) params.set('cursor', after)
    return `/api/audit?${params}`
  }
  const load = () =>
    run(async () => {
      const page = await get<{ items: AuditRecord[]; nextCursor: string | null }>(query())
      setItems(page.items)
      setCursor(page.nextCursor)
    }, describeError)
  const more = () =>
    run(async () => {
      const page = await get<{ items: AuditRecord[]; nextCursor: string | null }>(query(cursor!))
      setItems((list) => [...list, ...page.items])
      setCursor(page.nextCursor)
    }, describeError)
  useEffect(() => void load(), [])
  return (
    <div>
      <h1>Audit log</h1>
      <form
        class="row card"
        onSubmit={(e) => {
          e.preventDefault()
          load()
        }}
      >
        <input aria-label="Action" placeholder="Action, e.g. user.created" value={action} onInput={(e) => setAction(e.currentTarget.value)} />
        <input aria-label="Actor id" placeholder="Actor id" value={actor} onInput={(e) => setActor(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>
          Filter
        </button>
      </form>
      <ErrorBox message={error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Action</th>
              <th>Actor</th>
              <th>Target</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>{r.actorId ?? 'system'}</td>
                <td>{r.targetType ? `${r.targetType} ${r.targetId ?? ''}` : ''}</td>
                <td>
                  <code>{Object.keys(r.metadata).length ? JSON.stringify(r.metadata) : ''}</code>
                </td>
              </tr>
            ))}
            {!items.length && (
              <tr>
                <td colSpan={5} class="muted">
                  No entries.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" class="secondary" onClick={more} disabled={busy}>
          Older entries
        </button>
      )}
    </div>
  )
}
