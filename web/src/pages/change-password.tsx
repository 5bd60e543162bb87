import { useState } from 'preact/hooks'
import { changePassword, describeError, type User } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'

/** Forced after a one-time password, and the self-service password page. */
export function ChangePassword({ forced, onChanged }: { forced?: boolean; onChanged: (user: User) => void }) {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [repeat, setRepeat] = useState('')
  const [done, setDone] = useState(false)
  const { busy, error, setError, run } = useAction()
  const submit = async (e: Event) => {
    e.preventDefault()
    setDone(false)
    if (next !== repeat) return setError('The new passwords do not match.')
    let user: User | undefined
    if (await run(async () => (user = await changePassword(current, next)), describeError)) {
      setCurrent('')
      setNext('')
      setRepeat('')
      setDone(true)
      onChanged(user!)
    }
  }
  const form = (
    <form class="card narrow" onSubmit={submit} aria-label="Change password">
      <h1>{forced ? 'Choose a new password' : 'Change password'}</h1>
      {forced && <p>Your password was a one-time password. Choose your own to continue.</p>}
      <ErrorBox message={error} />
      <Notice message={done ? 'Password changed. Your other sessions were signed out.' : null} />
      <Field label="Current password">
        <input name="currentPassword" type="password" autocomplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
      </Field>
      <Field label="New password" hint="At least 10 characters, not a common password.">
        <input name="newPassword" type="password" autocomplete="new-password" required value={next} onInput={(e) => setNext(e.currentTarget.value)} />
      </Field>
      <Field label="Repeat the new password">
        <input name="repeatPassword" type="password" autocomplete="new-password" required value={repeat} onInput={(e) => setRepeat(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Change password'}
      </button>
    </form>
  )
  return forced ? <main class="centered">{form}</main> : form
}
