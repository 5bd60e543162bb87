import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, describeError, get, patch, post } from '../api.ts'
import { followReply, streamReply, visibleThread, type ChatMessage, type ChatSession, type Model } from '../chat/chat-api.ts'
import { ErrorBox } from '../components/ui.tsx'
import { Markdown } from '../components/markdown.tsx'
import { navigate } from '../router.ts'
import type { PageProps } from '../routes.tsx'

interface Running {
  assistantMessageId?: string
  controller: AbortController
}

export function ChatPage({ params }: PageProps) {
  const sessionId = params.id
  const [sessions, setSessions] = useState<ChatSession[]>([])
  const [search, setSearch] = useState('')
  const [models, setModels] = useState<Model[]>([])
  const [modelId, setModelId] = useState('')
  const [messages, setMessages] = useState<ChatMessage[]>([])
  const [draft, setDraft] = useState('')
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [running, setRunningState] = useState<Running | null>(null)
  // The effects below run with stale state: they read the reply in progress from here.
  const runningRef = useRef<Running | null>(null)
  const setRunning = (run: Running | null) => {
    runningRef.current = run
    setRunningState(run)
  }
  const [listOpen, setListOpen] = useState(false)
  const bottom = useRef<HTMLDivElement>(null)

  /** quiet: a refresh after a reply, which must not replace the reply's own error message. */
  const loadSessions = async (q = search, quiet = false) => {
    try {
      const page = await get<{ items: ChatSession[] }>(`/api/sessions?limit=100${q.trim() ? `&q=${encodeURIComponent(q.trim())}` : ''}`)
      setSessions(page.items)
    } catch (err) {
      if (!quiet) setError(describeError(err))
    }
  }
  const loadMessages = async (id: string) => {
    const page = await get<{ items: ChatMessage[] }>(`/api/sessions/${id}/messages?limit=100`)
    setMessages(page.items)
    return page.items
  }

  /** A reply still being written when the chat opened (a reload, another tab): follow it live. */
  const followIfStreaming = async (id: string, items: ChatMessage[]) => {
    const last = visibleThread(items).at(-1)
    if (last?.role !== 'assistant' || last.status !== 'streaming' || runningRef.current) return
    const controller = new AbortController()
    const run = { controller, assistantMessageId: last.id }
    setRunning(run)
    const update = (change: (content: string) => string) => setMessages((list) => list.map((m) => (m.id === last.id ? { ...m, content: change(m.content) } : m)))
    try {
      const end = await followReply(last.id, { started: () => update(() => ''), delta: (text) => update((content) => content + text), error: (msg) => setError(`The model failed: ${msg}`) }, controller.signal)
      if (end?.status === 'disconnected') setError('The connection was lost during the reply. What arrived is kept; regenerate to try again.')
    } finally {
      if (runningRef.current === run) setRunning(null)
      await loadMessages(id).catch(() => undefined)
    }
  }

  useEffect(() => {
    get<{ items: Model[] }>('/api/models').then(
      (list) => {
        const usable = list.items.filter((m) => m.enabled)
        setModels(usable)
        setModelId((current) => current || usable[0]?.id || '')
      },
      (err) => setError(describeError(err)),
    )
  }, [])
  useEffect(() => {
    const timer = setTimeout(() => loadSessions(search), 200)
    return () => clearTimeout(timer)
  }, [search])
  useEffect(() => {
    setError(null)
    setEditing(null)
    setMessages([])
    if (!sessionId) return
    const session = sessions.find((s) => s.id === sessionId)
    if (session?.modelId) setModelId(session.modelId)
    loadMessages(sessionId).then(
      (items) => followIfStreaming(sessionId, items),
      (err) => setError(describeError(err)),
    )
  }, [sessionId])
  useEffect(() => {
    const session = sessions.find((s) => s.id === sessionId)
    if (session?.modelId) setModelId(session.modelId)
  }, [sessions, sessionId])
  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [messages])

  /** Runs one reply: placeholder messages at once, deltas appended, the stored thread reloaded at the end. */
  const runReply = async (path: string, body: unknown, session: string, userText: string | null, onAccepted: () => void) => {
    const controller = new AbortController()
    const run: Running = { controller }
    setRunning(run)
    setError(null)
    let replyId = ''
    try {
      const end = await streamReply(
        path,
        body,
        {
          started: ({ userMessageId, assistantMessageId }) => {
            onAccepted()
            run.assistantMessageId = assistantMessageId
            replyId = assistantMessageId
            setMessages((list) => {
              const base = userText === null ? list : [...list, message(userMessageId, 'user', userText, null)]
              return [...base, message(assistantMessageId, 'assistant', '', userMessageId, 'streaming')]
            })
          },
          delta: (text) => setMessages((list) => list.map((m) => (m.id === replyId ? { ...m, content: m.content + text } : m))),
          error: (msg) => setError(`The model failed: ${msg}`),
        },
        controller.signal,
      )
      if (end.status === 'disconnected') setError('The connection was lost during the reply. What arrived is kept; regenerate to try again.')
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(describeError(err))
    } finally {
      setRunning(null)
      await loadMessages(session).catch(() => undefined)
      loadSessions(search, true)
    }
  }

  const send = async (e?: Event) => {
    e?.preventDefault()
    const text = draft
    if (!text.trim() || running) return
    if (!modelId) return setError('Choose a model first (add one under Account → Models).')
    let id = sessionId
    try {
      if (!id) {
        const created = await post<ChatSession>('/api/sessions', { modelId })
        id = created.id
        setSessions((list) => [created, ...list])
        navigate(`/chat/${id}`)
      } else {
        const session = sessions.find((s) => s.id === id)
        if (session && session.modelId !== modelId) await patch(`/api/sessions/${id}`, { modelId })
      }
    } catch (err) {
      return setError(describeError(err))
    }
    // The box is emptied only once the server has stored the message.
    await runReply('/api/chat/stream', { sessionId: id, content: text }, id!, text, () => setDraft(''))
  }

  const stop = async () => {
    if (!running) return
    if (!running.assistantMessageId) return running.controller.abort()
    try {
      await post(`/api/chat/${running.assistantMessageId}/stop`)
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) setError(describeError(err))
      running.controller.abort()
    }
  }

  const thread = visibleThread(messages)
  const lastUser = [...thread].reverse().find((m) => m.role === 'user')
  const lastReply = thread.at(-1)?.role === 'assistant' ? thread.at(-1) : undefined

  const regenerate = async () => {
    if (!lastReply || !sessionId || running) return
    setMessages((list) => list.filter((m) => m.id !== lastReply.id))
    await runReply(`/api/chat/${lastReply.id}/regenerate`, {}, sessionId, null, () => undefined)
  }
  const saveEdit = async () => {
    if (!editing || !sessionId || running || !editing.text.trim()) return
    const { id, text } = editing
    await runReply(`/api/chat/${id}/edit`, { content: text }, sessionId, null, () => {
      setEditing(null)
      setMessages((list) => {
        const at = list.findIndex((m) => m.id === id)
        return list.slice(0, at).concat({ ...list[at]!, content: text })
      })
    })
  }

  return (
    <div class={`chat ${listOpen ? 'list-open' : ''}`}>
      <aside class="sessions" aria-label="Chats">
        <button type="button" onClick={() => { setListOpen(false); navigate('/chat') }}>
          New chat
        </button>
        <input type="search" placeholder="Search chats" aria-label="Search chats" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <ul>
          {sessions.map((s) => (
            <li key={s.id}>
              <a
                href={`/chat/${s.id}`}
                class={s.id === sessionId ? 'active' : ''}
                onClick={(e) => {
                  e.preventDefault()
                  setListOpen(false)
                  navigate(`/chat/${s.id}`)
                }}
              >
                {s.title}
              </a>
            </li>
          ))}
          {!sessions.length && <li class="muted">{search ? 'No chat matches.' : 'No chats yet.'}</li>}
        </ul>
      </aside>
      <section class="conversation">
        <div class="conversation-bar row">
          <button type="button" class="secondary list-toggle" onClick={() => setListOpen(!listOpen)}>
            Chats
          </button>
          <label class="row model-picker">
            <span>Model</span>
            <select aria-label="Model" value={modelId} onChange={(e) => setModelId(e.currentTarget.value)} disabled={!!running}>
              {!models.length && <option value="">No model available</option>}
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.displayName}
                  {m.scope === 'system' ? '' : ' (personal)'}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div class="messages" aria-live="polite">
          {!thread.length && <p class="muted empty">{sessionId ? 'No messages yet.' : 'Start a new chat: pick a model and write a message.'}</p>}
          {thread.map((m) => (
            <article key={m.id} class={`message ${m.role}`} data-status={m.status} aria-label={m.role === 'user' ? 'You' : 'Assistant'}>
              {editing?.id === m.id ? (
                <div class="edit">
                  <textarea aria-label="Edit message" rows={3} value={editing.text} onInput={(e) => setEditing({ id: m.id, text: e.currentTarget.value })} />
                  <div class="row">
                    <button type="button" onClick={saveEdit} disabled={!!running}>
                      Save and resend
                    </button>
                    <button type="button" class="secondary" onClick={() => setEditing(null)}>
                      Cancel
                    </button>
                  </div>
                </div>
              ) : m.role === 'user' ? (
                <div class="user-text">{m.content}</div>
              ) : (
                <Markdown text={m.content} />
              )}
              {m.role === 'assistant' && m.status !== 'complete' && m.status !== 'streaming' && (
                <small class="status">
                  {m.status === 'aborted' ? 'Stopped' : m.status === 'interrupted' ? 'Interrupted' : `Failed${m.errorMessage ? `: ${m.errorMessage}` : ''}`}
                </small>
              )}
              {m.status === 'streaming' && running && <small class="status">Writing…</small>}
              {!running && m === lastUser && !editing && (
                <div class="message-actions">
                  <button type="button" class="icon" onClick={() => setEditing({ id: m.id, text: m.content })}>
                    Edit
                  </button>
                </div>
              )}
              {!running && m === lastReply && (
                <div class="message-actions">
                  <button type="button" class="icon" onClick={regenerate}>
                    Regenerate
                  </button>
                </div>
              )}
            </article>
          ))}
          <div ref={bottom} />
        </div>
        <ErrorBox message={error} />
        <form class="composer" onSubmit={send}>
          <textarea
            aria-label="Message"
            placeholder="Write a message (Enter sends, Shift+Enter for a new line)"
            rows={2}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e)
            }}
          />
          {running ? (
            <button type="button" class="danger" onClick={stop}>
              Stop
            </button>
          ) : (
            <button type="submit" disabled={!draft.trim()}>
              Send
            </button>
          )}
        </form>
      </section>
    </div>
  )
}

function message(id: string, role: ChatMessage['role'], content: string, parentId: string | null, status: ChatMessage['status'] = 'complete'): ChatMessage {
  return { id, role, content, parentId, status, errorCode: null, errorMessage: null, createdAt: new Date().toISOString() }
}
