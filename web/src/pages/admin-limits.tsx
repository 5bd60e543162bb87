import { useEffect, useState } from 'preact/hooks'
import { describeError, get, put, type User } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'
import { LIMIT_FIELDS, type Limits } from '../usage-types.ts'

type Overrides = Partial<Record<keyof Limits, number | null>>

/** A user's limit overrides: a number replaces the system default, "no limit" lifts it, empty keeps the default. */
export function LimitsEditor({ user, onClose }: { user: User; onClose: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({})
  const [effective, setEffective] = useState<Limits>({})
  const [saved, setSaved] = useState(false)
  const { busy, error, run } = useAction()
  const apply = (view: { limits: Overrides; effective: Limits }) => {
    setEffective(view.effective)
    setValues(Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, view.limits[f] === null ? 'none' : view.limits[f] === undefined ? '' : String(view.limits[f])])))
  }
  useEffect(() => {
    run(async () => apply(await get(`/api/admin/users/${user.id}/limits`)), describeError)
  }, [user.id])
  const save = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    const body: Overrides = {}
    for (const [field] of LIMIT_FIELDS) {
      const v = values[field]?.trim() ?? ''
      if (v === 'none') body[field] = null
      else if (v !== '') body[field] = Number(v)
    }
    setSaved(await run(async () => apply(await put(`/api/admin/users/${user.id}/limits`, body)), describeError))
  }
  return (
    <form class="card" onSubmit={save} aria-label={`Limits of ${user.username}`}>
      <h2>Limits of {user.username}</h2>
      <p class="muted">Empty: the system default. "none": no limit for this user.</p>
      <ErrorBox message={error} />
      <Notice message={saved ? 'Limits saved.' : null} />
      <div class="grid2">
        {LIMIT_FIELDS.map(([field, label]) => (
          <Field key={field} label={label} hint={`In force: ${effective[field] ?? 'no limit'}`}>
            <input value={values[field] ?? ''} onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })} />
          </Field>
        ))}
      </div>
      <div class="row">
        <button type="submit" disabled={busy}>
          Save limits
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  )
}
