import { useEffect, useState } from 'preact/hooks'
import { del, describeError, get, patch, post, type User } from '../api.ts'
import { ErrorBox, Field, Notice, SecretForm, useAction } from '../components/ui.tsx'
import { LimitsEditor } from './admin-limits.tsx'

export function AdminUsersPage({ user: me }: { user: User }) {
  const [users, setUsers] = useState<User[]>([])
  const [search, setSearch] = useState('')
  const [form, setForm] = useState({ username: '', password: '', role: 'USER' })
  const [notice, setNotice] = useState<string | null>(null)
  const [limitsOf, setLimitsOf] = useState<User | null>(null)
  const { busy, error, run } = useAction()
  const load = (q = search) => run(async () => setUsers((await get<{ items: User[] }>(`/api/users?pageSize=100${q ? `&search=${encodeURIComponent(q)}` : ''}`)).items), describeError)
  useEffect(() => {
    const timer = setTimeout(() => load(search), 200)
    return () => clearTimeout(timer)
  }, [search])

  const create = async (e: Event) => {
    e.preventDefault()
    setNotice(null)
    const ok = await run(() => post('/api/users', { username: form.username.trim(), password: form.password, role: form.role }), describeError)
    if (ok) {
      setNotice(`User "${form.username.trim()}" created; they choose their own password at first sign-in.`)
      setForm({ username: '', password: '', role: 'USER' })
      load()
    }
  }
  const change = (u: User, body: Partial<Pick<User, 'role' | 'disabled'>>) => run(async () => (await patch(`/api/users/${u.id}`, body), await load()), describeError)
  const [resetting, setResetting] = useState<User | null>(null)
  const resetPassword = async (u: User, newPassword: string) => {
    const ok = await run(() => post(`/api/users/${u.id}/password`, { newPassword }), describeError)
    if (ok) {
      setResetting(null)
      setNotice(`Password of "${u.username}" reset: they choose a new one at next sign-in; their sessions ended.`)
    }
    return ok
  }
  const remove = (u: User) => {
    if (!confirm(`Delete "${u.username}" and everything they own?`)) return
    run(async () => (await del(`/api/users/${u.id}`), await load()), describeError)
  }

  return (
    <div>
      <h1>Users</h1>
      <ErrorBox message={error} />
      <Notice message={notice} />
      <form class="card row" onSubmit={create} aria-label="New user">
        <Field label="Username">
          <input name="newUsername" required value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
        </Field>
        <Field label="Initial password">
          <input name="newUserPassword" type="password" autocomplete="new-password" required value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        </Field>
        <Field label="Role">
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
            <option value="USER">user</option>
            <option value="ADMIN">admin</option>
          </select>
        </Field>
        <button type="submit" disabled={busy}>
          Create user
        </button>
      </form>
      <input type="search" placeholder="Search users" aria-label="Search users" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Username</th>
              <th>Role</th>
              <th>Status</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} aria-label={u.username}>
                <td>{u.username}</td>
                <td>
                  <select aria-label={`Role of ${u.username}`} value={u.role} disabled={u.id === me.id} onChange={(e) => change(u, { role: e.currentTarget.value as User['role'] })}>
                    <option value="USER">user</option>
                    <option value="ADMIN">admin</option>
                  </select>
                </td>
                <td>
                  <span class={`badge ${u.disabled ? 'bad' : 'good'}`}>{u.disabled ? 'disabled' : 'active'}</span>
                  {u.mustChangePassword && <span class="badge">must change password</span>}
                </td>
                <td>{new Date(u.createdAt).toLocaleDateString()}</td>
                <td class="row">
                  {u.id !== me.id && (
                    <button type="button" class="secondary" onClick={() => change(u, { disabled: !u.disabled })}>
                      {u.disabled ? 'Enable' : 'Disable'}
                    </button>
                  )}
                  <button type="button" class="secondary" onClick={() => setResetting(u)}>
                    Reset password
                  </button>
                  <button type="button" class="secondary" onClick={() => setLimitsOf(u)}>
                    Limits
                  </button>
                  {u.id !== me.id && (
                    <button type="button" class="danger" onClick={() => remove(u)}>
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {resetting && (
        <div class="card">
          <SecretForm label={`One-time password for ${resetting.username}`} submitLabel="Reset password" onSubmit={(password) => resetPassword(resetting, password)} onCancel={() => setResetting(null)} />
        </div>
      )}
      {limitsOf && <LimitsEditor user={limitsOf} onClose={() => setLimitsOf(null)} />}
    </div>
  )
}
