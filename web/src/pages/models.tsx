import { useEffect, useState } from 'preact/hooks'
import { del, describeError, get, patch, post, put } from '../api.ts'
import { ErrorBox, Field, Notice, SecretForm, useAction } from '../components/ui.tsx'

export interface ModelView {
  id: string
  scope: 'personal' | 'system'
  displayName: string
  providerKind: 'openai' | 'anthropic' | 'gemini'
  modelId: string
  alias: string | null
  baseUrl?: string
  enabled: boolean
  hasApiKey: boolean
  apiKeyHint?: string | null
  contextWindow: number
  visibility?: 'all' | 'admins' | 'users'
  accountIds?: string[]
}
interface Provider {
  kind: ModelView['providerKind']
  defaultBaseUrl: string
  knownModels: { id: string }[]
}
interface Account {
  id: string
  name: string
  providerKind: string
  status: string
  /** The system models whose pool holds it. */
  models: string[]
}
interface ProbeResult {
  ok: boolean
  latencyMs: number
  error?: { code: string; message: string; status: number }
}

function failure(error: ProbeResult['error']): string {
  const message = error?.message ?? 'unknown error'
  return `Failed: ${message}${error?.status && !message.includes(`HTTP ${error.status}`) ? ` (HTTP ${error.status})` : ''}`
}

const empty = { providerKind: 'openai' as ModelView['providerKind'], displayName: '', modelId: '', baseUrl: '', apiKey: '', alias: '', contextWindow: '', visibility: 'all' }

/** Personal models (anyone) and system models (admins): same form, the system ones add visibility and an account pool. */
export function ModelsPage({ scope }: { scope: 'personal' | 'system' }) {
  const base = scope === 'system' ? '/api/models/system' : '/api/models'
  const [models, setModels] = useState<ModelView[]>([])
  const [providers, setProviders] = useState<Provider[]>([])
  const [accounts, setAccounts] = useState<Account[]>([])
  const [form, setForm] = useState(empty)
  const [probes, setProbes] = useState<Record<string, string>>({})
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error, run } = useAction()

  const load = async () => setModels((await get<{ items: ModelView[] }>('/api/models')).items.filter((m) => m.scope === scope))
  useEffect(() => {
    run(async () => {
      await load()
      setProviders((await get<{ items: Provider[] }>('/api/providers')).items)
      if (scope === 'system') await loadAccounts()
    }, describeError)
  }, [scope])

  const set = (field: keyof typeof empty) => (e: Event) => setForm({ ...form, [field]: (e.currentTarget as HTMLInputElement).value })
  const provider = providers.find((p) => p.kind === form.providerKind)

  const create = async (e: Event) => {
    e.preventDefault()
    setNotice(null)
    const body: Record<string, unknown> = { providerKind: form.providerKind, displayName: form.displayName.trim(), modelId: form.modelId.trim() }
    if (form.baseUrl.trim()) body.baseUrl = form.baseUrl.trim()
    if (form.apiKey) body.apiKey = form.apiKey
    if (form.alias.trim()) body.alias = form.alias.trim()
    if (form.contextWindow) body.contextWindow = Number(form.contextWindow)
    if (scope === 'system') body.visibility = form.visibility
    const ok = await run(async () => {
      await post(base, body)
      await load()
    }, describeError)
    if (ok) {
      setForm({ ...empty, providerKind: form.providerKind })
      setNotice(`Model "${body.displayName}" added.`)
    }
  }
  const test = (m: ModelView) =>
    run(async () => {
      setProbes({ ...probes, [m.id]: 'Testing…' })
      const res = await post<ProbeResult>(`/api/models/${m.id}/test`)
      setProbes((p) => ({ ...p, [m.id]: res.ok ? `Connection OK (${res.latencyMs} ms)` : failure(res.error) }))
    }, (err) => {
      setProbes((p) => ({ ...p, [m.id]: '' }))
      return describeError(err)
    })
  const toggle = (m: ModelView) => run(async () => (await patch(`${base}/${m.id}`, { enabled: !m.enabled }), await load()), describeError)
  const remove = (m: ModelView) => {
    if (!confirm(`Delete "${m.displayName}"?`)) return
    run(async () => (await del(`${base}/${m.id}`), await load()), describeError)
  }
  const [replacing, setReplacing] = useState<string | null>(null)
  const replaceKey = async (m: ModelView, apiKey: string) => {
    const ok = await run(async () => (await post(`/api/models/${m.id}/api-key`, { apiKey: apiKey || null }), await load()), describeError)
    if (ok) {
      setReplacing(null)
      setNotice(apiKey ? `The key of "${m.displayName}" was replaced.` : `The key of "${m.displayName}" was removed.`)
    }
    return ok
  }
  const loadAccounts = async () => setAccounts((await get<{ items: Account[] }>('/api/admin/accounts')).items)
  const poolOf = (m: ModelView) => m.accountIds ?? accounts.filter((a) => a.models.includes(m.id)).map((a) => a.id)
  const setPool = (m: ModelView, accountIds: string[]) => run(async () => (await put(`/api/models/system/${m.id}/accounts`, { accountIds }), await loadAccounts()), describeError)

  return (
    <div>
      <h1>{scope === 'system' ? 'System models' : 'My models'}</h1>
      <ErrorBox message={error} />
      <Notice message={notice} />
      <div class="cards">
        {models.map((m) => (
          <section class="card model" key={m.id} aria-label={m.displayName}>
            <div class="row">
              <strong>{m.displayName}</strong>
              <span class="badge">{m.providerKind}</span>
              <span class={`badge ${m.enabled ? 'good' : 'bad'}`}>{m.enabled ? 'enabled' : 'disabled'}</span>
              {m.visibility && <span class="badge">visible to {m.visibility}</span>}
            </div>
            <div class="muted">
              {m.modelId}
              {m.alias ? ` · alias ${m.alias}` : ''} · {m.baseUrl ?? ''} · key {m.hasApiKey ? `…${m.apiKeyHint ?? ''}` : 'none'}
            </div>
            {scope === 'system' && (
              <details>
                <summary>Account pool ({poolOf(m).length})</summary>
                {accounts
                  .filter((a) => a.providerKind === m.providerKind)
                  .map((a) => (
                    <label class="check" key={a.id}>
                      <input
                        type="checkbox"
                        checked={poolOf(m).includes(a.id)}
                        onChange={(e) => setPool(m, e.currentTarget.checked ? [...poolOf(m), a.id] : poolOf(m).filter((id) => id !== a.id))}
                      />
                      {a.name} <span class="badge">{a.status}</span>
                    </label>
                  ))}
                {!accounts.some((a) => a.providerKind === m.providerKind) && <p class="muted">No {m.providerKind} accounts yet.</p>}
              </details>
            )}
            <div class="row">
              <button type="button" class="secondary" onClick={() => test(m)} disabled={busy}>
                Test connection
              </button>
              <button type="button" class="secondary" onClick={() => setReplacing(m.id)}>
                Replace key
              </button>
              <button type="button" class="secondary" onClick={() => toggle(m)}>
                {m.enabled ? 'Disable' : 'Enable'}
              </button>
              <button type="button" class="danger" onClick={() => remove(m)}>
                Delete
              </button>
              {probes[m.id] && <span role="status">{probes[m.id]}</span>}
            </div>
            {replacing === m.id && (
              <SecretForm label="New provider API key (empty removes it)" submitLabel="Save key" allowEmpty onSubmit={(key) => replaceKey(m, key)} onCancel={() => setReplacing(null)} />
            )}
          </section>
        ))}
        {!models.length && <p class="muted">No models yet.</p>}
      </div>
      <form class="card" onSubmit={create} aria-label="Add a model">
        <h2>Add a model</h2>
        <div class="grid2">
          <Field label="Provider">
            <select value={form.providerKind} onChange={set('providerKind')}>
              <option value="openai">OpenAI or compatible</option>
              <option value="anthropic">Anthropic</option>
              <option value="gemini">Gemini</option>
            </select>
          </Field>
          <Field label="Display name">
            <input required value={form.displayName} onInput={set('displayName')} />
          </Field>
          <Field label="Model id" hint={provider ? `e.g. ${provider.knownModels.slice(0, 3).map((k) => k.id).join(', ')}` : undefined}>
            <input required value={form.modelId} onInput={set('modelId')} list="known-models" />
          </Field>
          <datalist id="known-models">
            {provider?.knownModels.map((k) => <option key={k.id} value={k.id} />)}
          </datalist>
          <Field label="Base URL" hint={provider ? `Default: ${provider.defaultBaseUrl}` : undefined}>
            <input value={form.baseUrl} onInput={set('baseUrl')} placeholder={provider?.defaultBaseUrl} />
          </Field>
          <Field label="API key" hint="Stored encrypted; never shown again.">
            <input type="password" autocomplete="off" value={form.apiKey} onInput={set('apiKey')} />
          </Field>
          <Field label="Alias (optional)">
            <input value={form.alias} onInput={set('alias')} />
          </Field>
          <Field label="Context window (tokens, for unknown models)">
            <input type="number" min={1} value={form.contextWindow} onInput={set('contextWindow')} />
          </Field>
          {scope === 'system' && (
            <Field label="Visible to">
              <select value={form.visibility} onChange={set('visibility')}>
                <option value="all">everyone</option>
                <option value="admins">admins</option>
                <option value="users">chosen users</option>
              </select>
            </Field>
          )}
        </div>
        <button type="submit" disabled={busy}>
          Add model
        </button>
      </form>
    </div>
  )
}
