import { useEffect, useState } from 'preact/hooks'
import { describeError, get, patch } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'
import { LIMIT_FIELDS, type Limits } from '../usage-types.ts'
import type { ModelView } from './models.tsx'

interface SystemSettings {
  mode: 'single-user' | 'multi-user'
  registration: 'open' | 'closed'
  defaultModelId: string | null
  defaultContextBudget: number | null
  defaultUserQuota: Limits
  maxMessageChars: number
}

/** System settings, including the default quota every user gets unless an admin overrides it. */
export function AdminSettingsPage() {
  const [settings, setSettings] = useState<SystemSettings | null>(null)
  const [quota, setQuota] = useState<Record<string, string>>({})
  const [models, setModels] = useState<ModelView[]>([])
  const [saved, setSaved] = useState(false)
  const { busy, error, run } = useAction()
  const apply = (s: SystemSettings) => {
    setSettings(s)
    setQuota(Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, s.defaultUserQuota[f] === undefined ? '' : String(s.defaultUserQuota[f])])))
  }
  useEffect(() => {
    run(async () => {
      apply((await get<{ system: SystemSettings }>('/api/settings')).system)
      setModels((await get<{ items: ModelView[] }>('/api/models')).items.filter((m) => m.scope === 'system'))
    }, describeError)
  }, [])
  if (!settings) return <ErrorBox message={error} />
  const set = <K extends keyof SystemSettings>(key: K, value: SystemSettings[K]) => setSettings({ ...settings, [key]: value })

  const save = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    const defaultUserQuota: Limits = {}
    for (const [field] of LIMIT_FIELDS) if (quota[field]?.trim()) defaultUserQuota[field] = Number(quota[field])
    const body = { ...settings, defaultUserQuota }
    setSaved(await run(async () => apply((await patch<{ system: SystemSettings }>('/api/settings/system', body)).system), describeError))
  }
  return (
    <form class="card" onSubmit={save} aria-label="System settings">
      <h1>System settings</h1>
      <ErrorBox message={error} />
      <Notice message={saved ? 'Settings saved.' : null} />
      <div class="grid2">
        <Field label="Mode">
          <select value={settings.mode} onChange={(e) => set('mode', e.currentTarget.value as SystemSettings['mode'])}>
            <option value="multi-user">multi-user</option>
            <option value="single-user">single-user</option>
          </select>
        </Field>
        <Field label="Registration">
          <select value={settings.registration} onChange={(e) => set('registration', e.currentTarget.value as SystemSettings['registration'])}>
            <option value="open">open</option>
            <option value="closed">closed</option>
          </select>
        </Field>
        <Field label="Default model">
          <select value={settings.defaultModelId ?? ''} onChange={(e) => set('defaultModelId', e.currentTarget.value || null)}>
            <option value="">none</option>
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.displayName}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Context budget (tokens; empty: the model's window)">
          <input type="number" min={1} value={settings.defaultContextBudget ?? ''} onInput={(e) => set('defaultContextBudget', e.currentTarget.value ? Number(e.currentTarget.value) : null)} />
        </Field>
        <Field label="Longest message (characters)">
          <input type="number" min={1} required value={settings.maxMessageChars} onInput={(e) => set('maxMessageChars', Number(e.currentTarget.value))} />
        </Field>
      </div>
      <h2>Default quota per user</h2>
      <p class="muted">Empty: no limit. Per-user overrides are under Users → Limits.</p>
      <div class="grid2">
        {LIMIT_FIELDS.map(([field, label]) => (
          <Field key={field} label={label}>
            <input type="number" min={1} value={quota[field] ?? ''} onInput={(e) => setQuota({ ...quota, [field]: e.currentTarget.value })} />
          </Field>
        ))}
      </div>
      <button type="submit" disabled={busy}>
        Save settings
      </button>
    </form>
  )
}
