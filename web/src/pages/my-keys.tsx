import { useEffect, useState } from 'preact/hooks'
import { del, describeError, get, post } from '../api.ts'
import { CopyButton, ErrorBox, Field, useAction } from '../components/ui.tsx'

interface PlatformKey {
  id: string
  name: string
  prefix: string
  status: 'active' | 'expired' | 'revoked'
  allowedModels: string[]
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
}

/** Platform keys for the /v1 relay. A secret is shown once, right after it was issued, and never again. */
export function MyKeysPage() {
  const [keys, setKeys] = useState<PlatformKey[]>([])
  const [name, setName] = useState('')
  const [expires, setExpires] = useState('')
  const [issued, setIssued] = useState<{ name: string; secret: string } | null>(null)
  const { busy, error, run } = useAction()
  const load = () => run(async () => setKeys((await get<{ items: PlatformKey[] }>('/api/keys?pageSize=100')).items), describeError)
  useEffect(() => void load(), [])

  const create = async (e: Event) => {
    e.preventDefault()
    const body: Record<string, unknown> = { name: name.trim() }
    if (expires) body.expiresAt = new Date(`${expires}T23:59:59Z`).toISOString()
    await run(async () => {
      const res = await post<{ key: PlatformKey; secret: string }>('/api/keys', body)
      setIssued({ name: res.key.name, secret: res.secret })
      setName('')
      setExpires('')
      setKeys((await get<{ items: PlatformKey[] }>('/api/keys?pageSize=100')).items)
    }, describeError)
  }
  const rotate = (key: PlatformKey) =>
    run(async () => {
      const res = await post<{ key: PlatformKey; secret: string }>(`/api/keys/${key.id}/rotate`, {})
      setIssued({ name: res.key.name, secret: res.secret })
      await load()
    }, describeError)
  const revoke = (key: PlatformKey) => {
    if (!confirm(`Revoke "${key.name}"? Programs using it stop working at once.`)) return
    run(async () => {
      await del(`/api/keys/${key.id}`)
      setKeys((await get<{ items: PlatformKey[] }>('/api/keys?pageSize=100')).items)
    }, describeError)
  }

  return (
    <div>
      <h1>Platform keys</h1>
      <p class="muted">
        Use a key with any OpenAI or Anthropic SDK: base URL <code>{location.origin}/v1</code> (Anthropic: <code>{location.origin}</code>).
      </p>
      <ErrorBox message={error} />
      {issued && (
        <div class="card issued" role="status" aria-label="New key">
          <strong>Your new key "{issued.name}"</strong>
          <p>Copy it now: it is shown only this once.</p>
          <div class="row">
            <code class="secret" data-testid="new-secret">
              {issued.secret}
            </code>
            <CopyButton text={issued.secret} />
            <button type="button" class="secondary" onClick={() => setIssued(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <form class="card row" onSubmit={create} aria-label="New key">
        <Field label="Name">
          <input name="keyName" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Expires (optional)">
          <input type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy || !name.trim()}>
          Create key
        </button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Status</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>sk-{k.prefix}_…</code>
                </td>
                <td>
                  <span class={`badge ${k.status === 'active' ? 'good' : 'bad'}`}>{k.status}</span>
                </td>
                <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>{k.expiresAt ? new Date(k.expiresAt).toLocaleDateString() : 'never'}</td>
                <td class="row">
                  {k.status === 'active' && (
                    <>
                      <button type="button" class="secondary" onClick={() => rotate(k)}>
                        Rotate
                      </button>
                      <button type="button" class="danger" onClick={() => revoke(k)}>
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
            {!keys.length && (
              <tr>
                <td colSpan={6} class="muted">
                  No keys yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  )
}
