import { ApiError, request } from '../api.ts'
import { readEvents } from './sse.ts'

export interface ChatSession {
  id: string
  title: string
  modelId: string | null
  systemPrompt: string | null
  lastActivityAt: string
}

export type MessageStatus = 'streaming' | 'complete' | 'aborted' | 'error' | 'interrupted'

export interface ChatMessage {
  id: string
  role: 'user' | 'assistant'
  content: string
  status: MessageStatus
  parentId: string | null
  errorCode: string | null
  errorMessage: string | null
  createdAt: string
}

export interface Model {
  id: string
  scope: 'personal' | 'system'
  displayName: string
  providerKind: string
  modelId: string
  alias: string | null
  enabled: boolean
}

export interface ReplyHandlers {
  /** The server accepted the message: both messages are stored. */
  started(ids: { userMessageId: string; assistantMessageId: string }): void
  delta(text: string): void
  error(message: string): void
}

export interface ReplyEnd {
  status: MessageStatus | 'disconnected'
}

interface Progress {
  status: ReplyEnd['status']
  messageId?: string
  lastEventId?: string
}

/** Reads one response's events into the handlers; a body that breaks leaves the status 'disconnected'. */
async function consume(res: Response, handlers: ReplyHandlers, progress: Progress): Promise<void> {
  try {
    await readEvents(res.body!, (e) => {
      if (e.id) progress.lastEventId = e.id
      const data = JSON.parse(e.data)
      if (e.event === 'message') {
        progress.messageId = data.assistantMessageId
        handlers.started(data)
      } else if (e.event === 'delta') handlers.delta(data.text)
      else if (e.event === 'error') handlers.error(data.message)
      else if (e.event === 'done') progress.status = data.status
    })
  } catch (err) {
    // Whatever broke the body (network, proxy, a server that died), the server kept what it had.
    if ((err as Error).name === 'AbortError') progress.status = 'aborted'
  }
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

/**
 * GET /api/chat/{id}/stream: the rest of a reply after `lastEventId` (the whole reply without it).
 * Resolves false when the server cannot resume (no such route, or the reply is not there).
 */
async function follow(messageId: string, lastEventId: string | undefined, handlers: ReplyHandlers, progress: Progress, signal: AbortSignal): Promise<boolean> {
  let res: Response
  try {
    res = await request('GET', `/api/chat/${encodeURIComponent(messageId)}/stream`, undefined, signal, lastEventId ? { 'last-event-id': lastEventId } : {})
  } catch (err) {
    if ((err as Error).name === 'AbortError') return false
    return err instanceof ApiError && err.code === 'NETWORK'
  }
  await consume(res, handlers, progress)
  return true
}

/**
 * Starts a reply (send, regenerate or edit) and reads its stream. HTTP refusals (quota, validation,
 * a reply already running) throw ApiError before anything was stored. When the connection breaks
 * mid-reply, the reply goes on on the server for a while: it is picked up after the last event
 * received (GET /api/chat/{id}/stream with Last-Event-ID), a few times; otherwise it ends as
 * 'disconnected' (the server keeps the partial text).
 */
export async function streamReply(path: string, body: unknown, handlers: ReplyHandlers, signal: AbortSignal): Promise<ReplyEnd> {
  const res = await request('POST', path, body, signal)
  const progress: Progress = { status: 'disconnected' }
  await consume(res, handlers, progress)
  for (let attempt = 0; progress.status === 'disconnected' && progress.messageId && progress.lastEventId && attempt < 4 && !signal.aborted; attempt++) {
    await pause(500 * 2 ** attempt, signal)
    if (!(await follow(progress.messageId, progress.lastEventId, handlers, progress, signal))) break
  }
  return { status: progress.status }
}

/** Follows a reply that is still being written (after a reload, or from another tab), from its start. */
export async function followReply(messageId: string, handlers: ReplyHandlers, signal: AbortSignal): Promise<ReplyEnd | null> {
  const progress: Progress = { status: 'disconnected', messageId }
  if (!(await follow(messageId, undefined, handlers, progress, signal))) return null
  return { status: progress.status }
}

/** Shown on a reply's own messages: the last reply of each user message (regenerated ones are siblings). */
export function visibleThread(messages: ChatMessage[]): ChatMessage[] {
  const lastReply = new Map<string, ChatMessage>()
  for (const m of messages) if (m.role === 'assistant' && m.parentId) lastReply.set(m.parentId, m)
  return messages.filter((m) => m.role === 'user' || !m.parentId || lastReply.get(m.parentId) === m)
}
