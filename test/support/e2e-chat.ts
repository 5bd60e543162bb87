// Driving a real server process over HTTP for the operations e2e tests (lifecycle, crash recovery,
// database outage, log secrets): users, personal models against the test upstream, and SSE streams.
// Every request uses its own connection (`connection: close`): reusing a keep-alive connection that
// the server is closing after its 5 s idle timeout fails with ECONNRESET, and POSTs are not retried.
import { readSse, type SseEvent } from './sse.ts'
import { UPSTREAM_KEY } from './upstream/server.ts'

export interface Reply<T = any> {
  status: number
  body: T
  headers: Headers
}

export async function call<T = any>(baseUrl: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { connection: 'close', ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    // not JSON
  }
  return { status: res.status, body: body as T, headers: res.headers }
}

export interface Chatter {
  username: string
  password: string
  token: string
  refreshToken: string
  modelId: string
}

/** Registers a user and gives them a personal OpenAI-compatible model on the test upstream. */
export async function chatter(baseUrl: string, upstreamUrl: string, username: string): Promise<Chatter> {
  const password = `${username} secret password`
  const reg = await call(baseUrl, 'POST', '/api/auth/register', { body: { username, password } })
  if (reg.status !== 201) throw new Error(`register ${username}: ${reg.status} ${JSON.stringify(reg.body)}`)
  const token = reg.body.accessToken as string
  const model = await call(baseUrl, 'POST', '/api/models', {
    token,
    body: { providerKind: 'openai', displayName: 'upstream', modelId: 'gpt-4o-mini', baseUrl: `${upstreamUrl}/v1`, apiKey: UPSTREAM_KEY },
  })
  if (model.status !== 201) throw new Error(`model for ${username}: ${model.status} ${JSON.stringify(model.body)}`)
  return { username, password, token, refreshToken: reg.body.refreshToken, modelId: model.body.id }
}

export async function newSession(baseUrl: string, who: Chatter): Promise<string> {
  const res = await call(baseUrl, 'POST', '/api/sessions', { token: who.token, body: { modelId: who.modelId } })
  if (res.status !== 201) throw new Error(`session: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.id as string
}

export interface OpenStream {
  sessionId: string
  events: SseEvent[]
  /** Delta text received so far. */
  text(): string
  /** Resolves when the first delta has arrived. */
  firstDelta: Promise<void>
  /** Resolves when the response ends or breaks (never rejects): the last status seen, if any. */
  ended: Promise<{ done?: string; error?: string; broken?: string; status?: number }>
}

/** POST /api/chat/stream and read it in the background. */
export async function openStream(baseUrl: string, who: Chatter, sessionId: string, content: string): Promise<OpenStream> {
  const res = await fetch(`${baseUrl}/api/chat/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ sessionId, content }),
  })
  if (res.status !== 200) {
    // A failure before the first token is an HTTP error in the envelope: it ends there, with its code.
    const text = await res.text()
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code
    if (!code) throw new Error(`stream: ${res.status} ${text}`)
    return { sessionId, events: [], text: () => '', firstDelta: new Promise(() => {}), ended: Promise.resolve({ error: code, status: res.status }) }
  }
  const events: SseEvent[] = []
  let gotDelta: () => void = () => {}
  const firstDelta = new Promise<void>((resolve) => (gotDelta = resolve))
  const ended = (async () => {
    try {
      for await (const event of readSse(res)) {
        events.push(event)
        if (event.event === 'delta') gotDelta()
      }
    } catch (err) {
      return { broken: err instanceof Error ? err.message : String(err) }
    }
    const done = events.find((e) => e.event === 'done')?.data.status as string | undefined
    const error = events.find((e) => e.event === 'error')?.data.code as string | undefined
    return { done, error }
  })()
  return { sessionId, events, text: () => events.filter((e) => e.event === 'delta').map((e) => e.data.text).join(''), firstDelta, ended }
}

/** Distinct, ordered words, so that a saved partial reply can be checked to be a prefix of the whole. */
export const numberedText = (words: number) => Array.from({ length: words }, (_, i) => `w${i} `).join('')

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
