import { useState } from 'preact/hooks'
import { describeError, signIn, type User } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'

export function SignIn({ notice, onSignedIn }: { notice?: string | null; onSignedIn: (user: User) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, run } = useAction()
  const submit = async (e: Event) => {
    e.preventDefault()
    let user: User | undefined
    if (await run(async () => (user = await signIn(username.trim(), password)), describeError)) onSignedIn(user!)
  }
  return (
    <main class="centered">
      <form class="card narrow" onSubmit={submit} aria-label="Sign in">
        <h1>chatbase</h1>
        <Notice message={error ? null : notice} />
        <ErrorBox message={error} />
        <Field label="Username">
          <input name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label="Password">
          <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  )
}
