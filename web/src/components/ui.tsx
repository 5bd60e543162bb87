import type { ComponentChildren, TargetedMouseEvent } from 'preact'
import { useState } from 'preact/hooks'
import { navigate } from '../router.ts'

export function ErrorBox({ message }: { message?: string | null }) {
  if (!message) return null
  return (
    <div class="error" role="alert">
      {message}
    </div>
  )
}

export function Notice({ message }: { message?: string | null }) {
  if (!message) return null
  return (
    <div class="notice" role="status">
      {message}
    </div>
  )
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label>
        <span>{props.label}</span>
        {props.children}
      </label>
      {props.hint && <small>{props.hint}</small>}
    </div>
  )
}

export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  const onClick = (e: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return
    e.preventDefault()
    navigate(props.href)
  }
  return (
    <a href={props.href} class={props.class} onClick={onClick}>
      {props.children}
    </a>
  )
}

/** Runs an async action with a busy flag and an error message; the form's inputs are left alone. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = async (action: () => Promise<unknown>, describe: (err: unknown) => string) => {
    setBusy(true)
    setError(null)
    try {
      await action()
      return true
    } catch (err) {
      setError(describe(err))
      return false
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setDone(true)
    } catch {
      setDone(false)
    }
  }
  return (
    <button type="button" class="secondary" onClick={copy}>
      {done ? 'Copied' : label}
    </button>
  )
}

/** An inline form for one secret (a password, an API key): typed into a password field, never shown back. */
export function SecretForm(props: { label: string; submitLabel: string; allowEmpty?: boolean; onSubmit: (value: string) => Promise<boolean>; onCancel: () => void }) {
  const [value, setValue] = useState('')
  return (
    <form
      class="row secret-form"
      onSubmit={async (e) => {
        e.preventDefault()
        if (await props.onSubmit(value)) setValue('')
      }}
    >
      <label class="row">
        {props.label}
        <input type="password" autocomplete="new-password" required={!props.allowEmpty} value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">{props.submitLabel}</button>
      <button type="button" class="secondary" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  )
}
