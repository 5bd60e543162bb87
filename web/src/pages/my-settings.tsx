import { useEffect, useState } from 'preact/hooks'
import { describeError, get, patch } from '../api.ts'
import { ErrorBox, Field, Notice, useAction } from '../components/ui.tsx'
import type { ModelView } from './models.tsx'

interface Personal {
  defaultModelId: string | null
  defaultSystemPrompt: string | null
}

export function MySettingsPage() {
  const [models, setModels] = useState<ModelView[]>([])
  const [modelId, setModelId] = useState('')
  const [prompt, setPrompt] = useState('')
  const [saved, setSaved] = useState(false)
  const { busy, error, run } = useAction()
  useEffect(() => {
    run(async () => {
      const settings = await get<{ personal: Personal }>('/api/settings')
      setModelId(settings.personal.defaultModelId ?? '')
      setPrompt(settings.personal.defaultSystemPrompt ?? '')
      setModels((await get<{ items: ModelView[] }>('/api/models')).items)
    }, describeError)
  }, [])
  const save = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    const ok = await run(() => patch('/api/settings/me', { defaultModelId: modelId || null, defaultSystemPrompt: prompt.trim() ? prompt : null }), describeError)
    setSaved(ok)
  }
  return (
    <form class="card" onSubmit={save} aria-label="Personal settings">
      <h1>Personal settings</h1>
      <ErrorBox message={error} />
      <Notice message={saved ? 'Settings saved.' : null} />
      <Field label="Default model for new chats">
        <select value={modelId} onChange={(e) => setModelId(e.currentTarget.value)}>
          <option value="">the system default</option>
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName}
              {m.scope === 'personal' ? ' (personal)' : ''}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Default system prompt">
        <textarea rows={5} value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy}>
        Save
      </button>
    </form>
  )
}
