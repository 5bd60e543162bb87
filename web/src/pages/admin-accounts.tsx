import { useEffect, useState } from 'preact/hooks'
import { del, describeError, get, patch, post } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'

interface Account {
  id: string
  name: string
  providerKind: 'openai' | 'anthropic' | 'gemini'
  authType: 'api_key' | 'oauth'
  baseUrl: string | null
  proxyDisplay: string | null
  priority: number
  weight: number
  enabled: boolean
  status: string
  statusReason: string | null
  statusUntil: string | null
  hint: string
  tokenExpiresAt: string | null
  models: string[]
}
interface ProbeStep {
  ok: boolean
  latencyMs: number
  status?: number
  message?: string
}
interface Flow {
  flowId: string
  authorizeUrl: string
  expiresAt: string
}

const STATUS_GOOD = new Set(['active'])
const describeProbe = (name: string, step: ProbeStep | null) =>
  step === null ? '' : `${name}: ${step.ok ? `OK (${step.latencyMs} ms)` : `failed${step.status ? ` (HTTP ${step.status})` : ''}${step.message ? `: ${step.message}` : ''}`}`

/** Upstream accounts: status at a glance, test/reset/enable, API-key accounts and the OAuth sign-in with paste-back. */
export function AdminAccountsPage() {
  const [accounts, setAccounts] = useState<Account[]>([])
  const [probes, setProbes] = useState<Record<string, string>>({})
  const [form, setForm] = useState({ name: '', providerKind: 'openai', apiKey: '', baseUrl: '', proxyUrl: '' })
  const [oauth, setOauth] = useState({ providerKind: 'anthropic', name: '', proxyUrl: '' })
  const [flow, setFlow] = useState<Flow | null>(null)
  const [pasted, setPasted] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  const load = async () => setAccounts((await get<{ items: Account[] }>('/api/admin/accounts')).items)
  useEffect(() => void run(load, describeError), [])

  const addKeyAccount = async (e: Event) => {
    e.preventDefault()
    setNotice(null)
    const body: Record<string, unknown> = { authType: 'api_key', name: form.name.trim(), providerKind: form.providerKind, apiKey: form.apiKey }
    if (form.baseUrl.trim()) body.baseUrl = form.baseUrl.trim()
    if (form.proxyUrl.trim()) body.proxyUrl = form.proxyUrl.trim()
    if (await run(async () => (await post('/api/admin/accounts', body), await load()), describeError)) {
      setNotice(`Account "${form.name.trim()}" added.`)
      setForm({ ...form, name: '', apiKey: '', baseUrl: '', proxyUrl: '' })
    }
  }
  const startOAuth = async (e: Event) => {
    e.preventDefault()
    setNotice(null)
    const body: Record<string, unknown> = { providerKind: oauth.providerKind }
    if (oauth.name.trim()) body.name = oauth.name.trim()
    if (oauth.proxyUrl.trim()) body.proxyUrl = oauth.proxyUrl.trim()
    await run(async () => setFlow(await post<Flow>('/api/admin/accounts/oauth/authorize', body)), describeError)
  }
  const finishOAuth = async (e: Event) => {
    e.preventDefault()
    if (!flow) return
    const value = pasted.trim()
    const body: Record<string, unknown> = { flowId: flow.flowId, ...(/^https?:\/\//.test(value) ? { callbackUrl: value } : { code: value }) }
    if (oauth.name.trim()) body.name = oauth.name.trim()
    const ok = await run(async () => {
      const account = await post<Account>('/api/admin/accounts/oauth/exchange', body)
      setNotice(`Signed in: account "${account.name}" added.`)
      await load()
    }, describeError)
    if (ok) {
      setFlow(null)
      setPasted('')
    }
  }
  const test = (a: Account) =>
    run(async () => {
      setProbes((p) => ({ ...p, [a.id]: 'Testing…' }))
      const report = await post<{ proxy: ProbeStep | null; upstream: ProbeStep }>(`/api/admin/accounts/${a.id}/test`)
      setProbes((p) => ({ ...p, [a.id]: [describeProbe('Proxy', report.proxy), describeProbe('Upstream', report.upstream)].filter(Boolean).join(' · ') }))
      await load()
    }, describeError)
  const act = (action: () => Promise<unknown>) => run(async () => (await action(), await load()), describeError)

  return (
    <div>
      <h1>Upstream accounts</h1>
      <ErrorBox message={error} />
      <Notice message={notice} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Provider</th>
              <th>Status</th>
              <th>Credential</th>
              <th>Pools</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id} aria-label={a.name}>
                <td>
                  {a.name}
                  <div class="muted">
                    priority {a.priority} · weight {a.weight}
                    {a.proxyDisplay ? ` · via ${a.proxyDisplay}` : ''}
                  </div>
                </td>
                <td>
                  {a.providerKind} <span class="badge">{a.authType === 'oauth' ? 'OAuth' : 'API key'}</span>
                </td>
                <td>
                  <span class={`badge ${STATUS_GOOD.has(a.status) ? 'good' : 'bad'}`}>{a.status}</span>
                  {a.statusReason && <div class="muted">{a.statusReason}</div>}
                  {a.statusUntil && <div class="muted">until {new Date(a.statusUntil).toLocaleString()}</div>}
                </td>
                <td>
                  …{a.hint}
                  {a.tokenExpiresAt && <div class="muted">token expires {new Date(a.tokenExpiresAt).toLocaleString()}</div>}
                </td>
                <td>{a.models.length}</td>
                <td>
                  <div class="row">
                    <button type="button" class="secondary" onClick={() => test(a)}>
                      Test
                    </button>
                    {a.status !== 'active' && a.status !== 'disabled' && (
                      <button type="button" class="secondary" onClick={() => act(() => post(`/api/admin/accounts/${a.id}/reset`))}>
                        Reset
                      </button>
                    )}
                    <button type="button" class="secondary" onClick={() => act(() => patch(`/api/admin/accounts/${a.id}`, { enabled: !a.enabled }))}>
                      {a.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" class="danger" onClick={() => confirm(`Delete "${a.name}"?`) && act(() => del(`/api/admin/accounts/${a.id}`))}>
                      Delete
                    </button>
                  </div>
                  {probes[a.id] && <div role="status">{probes[a.id]}</div>}
                </td>
              </tr>
            ))}
            {!accounts.length && (
              <tr>
                <td colSpan={6} class="muted">
                  No accounts yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <section class="card" aria-label="Sign in with OAuth">
        <h2>Sign in an account with OAuth</h2>
        {!flow ? (
          <form class="row" onSubmit={startOAuth}>
            <Field label="Provider">
              <select value={oauth.providerKind} onChange={(e) => setOauth({ ...oauth, providerKind: e.currentTarget.value })}>
                <option value="anthropic">Anthropic (Claude)</option>
                <option value="gemini">Gemini (Google)</option>
              </select>
            </Field>
            <Field label="Name (optional)">
              <input name="oauthName" value={oauth.name} onInput={(e) => setOauth({ ...oauth, name: e.currentTarget.value })} />
            </Field>
            <Field label="Proxy (optional)">
              <input value={oauth.proxyUrl} placeholder="socks5://user:pass@host:1080" onInput={(e) => setOauth({ ...oauth, proxyUrl: e.currentTarget.value })} />
            </Field>
            <button type="submit" disabled={busy}>
              Start sign-in
            </button>
          </form>
        ) : (
          <form onSubmit={finishOAuth}>
            <ol>
              <li>
                <a href={flow.authorizeUrl} target="_blank" rel="noopener noreferrer">
                  Open the provider's sign-in page
                </a>{' '}
                and sign in (this link works until {new Date(flow.expiresAt).toLocaleTimeString()}).
              </li>
              <li>Paste the code it shows, or the whole address the browser ended up at:</li>
            </ol>
            <Field label="Code or callback URL">
              <textarea rows={2} required value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
            </Field>
            <div class="row">
              <button type="submit" disabled={busy || !pasted.trim()}>
                Finish sign-in
              </button>
              <button type="button" class="secondary" onClick={() => setFlow(null)}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </section>

      <form class="card" onSubmit={addKeyAccount} aria-label="Add an API-key account">
        <h2>Add an API-key account</h2>
        <div class="grid2">
          <Field label="Name">
            <input required value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </Field>
          <Field label="Provider">
            <select value={form.providerKind} onChange={(e) => setForm({ ...form, providerKind: e.currentTarget.value })}>
              <option value="openai">OpenAI or compatible</option>
              <option value="anthropic">Anthropic</option>
              <option value="gemini">Gemini</option>
            </select>
          </Field>
          <Field label="API key" hint="Stored encrypted; never shown again.">
            <input type="password" autocomplete="off" required value={form.apiKey} onInput={(e) => setForm({ ...form, apiKey: e.currentTarget.value })} />
          </Field>
          <Field label="Base URL (optional)">
            <input value={form.baseUrl} onInput={(e) => setForm({ ...form, baseUrl: e.currentTarget.value })} />
          </Field>
          <Field label="Proxy (optional)">
            <input value={form.proxyUrl} onInput={(e) => setForm({ ...form, proxyUrl: e.currentTarget.value })} />
          </Field>
        </div>
        <button type="submit" disabled={busy}>
          Add account
        </button>
      </form>
    </div>
  )
}
