import { request } from '../api.ts'
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

/**
 * Starts a reply (send, regenerate or edit) and reads its stream. HTTP refusals (quota, validation,
 * a reply already running) throw ApiError before anything was stored; a connection that breaks
 * mid-reply resolves as 'disconnected' (the server keeps the partial text).
 */
export async function streamReply(path: string, body: unknown, handlers: ReplyHandlers, signal: AbortSignal): Promise<ReplyEnd> {
  const res = await request('POST', path, body, signal)
  let status: ReplyEnd['status'] = 'disconnected'
  try {
    await readEvents(res.body!, (e) => {
      const data = JSON.parse(e.data)
      if (e.event === 'message') handlers.started(data)
      else if (e.event === 'delta') handlers.delta(data.text)
      else if (e.event === 'error') handlers.error(data.message)
      else if (e.event === 'done') status = data.status
    })
  } catch (err) {
    // Whatever broke the body (network, proxy, a server that died), the reply is cut: the server kept what it had.
    if ((err as Error).name === 'AbortError') return { status: 'aborted' }
    return { status: 'disconnected' }
  }
  return { status }
}

/** Shown on a reply's own messages: the last reply of each user message (regenerated ones are siblings). */
export function visibleThread(messages: ChatMessage[]): ChatMessage[] {
  const lastReply = new Map<string, ChatMessage>()
  for (const m of messages) if (m.role === 'assistant' && m.parentId) lastReply.set(m.parentId, m)
  return messages.filter((m) => m.role === 'user' || !m.parentId || lastReply.get(m.parentId) === m)
}
