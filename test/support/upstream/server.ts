import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { anthropic } from './anthropic.ts'
import { codeAssist, loadCodeAssistAnswer } from './code-assist.ts'
import { anthropicCount, geminiCount } from './count-tokens.ts'
import { answerEmbeddings, embeddingRoute } from './embeddings.ts'
import { gemini, geminiChunks } from './gemini.ts'
import { openai } from './openai.ts'
import type { Dialect, ErrorReply, Plan, Scenario } from './scenario.ts'

export type { Scenario, UpstreamErrorKind } from './scenario.ts'
export { countTokens, DEFAULT_TEXT, splitText } from './scenario.ts'

/** The key every dialect accepts unless `startUpstream({ keys })` says otherwise. */
export const UPSTREAM_KEY = 'sk-test-upstream-0123456789abcdef'

export interface RecordedRequest {
  dialect: Dialect['name'] | 'unknown'
  method: string
  /** Path and query, e.g. `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`. */
  path: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON body (undefined if it was not JSON). */
  body: unknown
}

export interface UpstreamOptions {
  /** Valid API keys. Default [UPSTREAM_KEY]. */
  keys?: string[]
  /** When set, prompts above this many (simulated) tokens get the dialect's real context error. */
  contextWindow?: number
  /** OAuth access tokens (Anthropic: `authorization: Bearer` with `anthropic-beta: oauth-2025-04-20`) this says are valid. */
  acceptsAccessToken?: (token: string) => boolean
}

export interface Upstream {
  /** http://127.0.0.1:PORT. OpenAI base URL: `${url}/v1`; Anthropic and Gemini: `url`. */
  readonly url: string
  readonly keys: readonly string[]
  readonly requests: RecordedRequest[]
  /** Responses the client closed before they finished (aborts, early breaks). */
  readonly clientClosed: number
  /** FIFO: each request (that passed the key check) takes the next queued scenario first. */
  enqueue(...scenarios: Scenario[]): void
  /** Used for requests to `model` when the queue is empty. */
  forModel(model: string, scenario: Scenario): void
  /** Used when neither the queue nor a model scenario applies. Default `{}`. */
  setDefault(scenario: Scenario): void
  /** Clears queue, model scenarios, default, recorded requests and counters. */
  reset(): void
  waitForClientClose(count?: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

interface Route {
  dialect: Dialect
  streaming: (body: Record<string, unknown>) => boolean
  pathModel?: string
}

/** The token-counting endpoints (Anthropic count_tokens, Gemini countTokens); they take a queued `fail` scenario too. */
function countRoute(method: string, pathname: string): 'anthropic' | 'gemini' | undefined {
  if (method !== 'POST') return undefined
  if (pathname === '/v1/messages/count_tokens') return 'anthropic'
  return /^\/v1beta\/models\/[^/:]+:countTokens$/.test(pathname) ? 'gemini' : undefined
}

const GEMINI_PATH = /^\/v1beta\/models\/([^/:]+):(streamGenerateContent|generateContent)$/

function route(method: string, pathname: string): Route | undefined {
  if (method !== 'POST') return undefined
  if (pathname === '/v1/chat/completions') return { dialect: openai, streaming: (b) => b.stream === true }
  if (pathname === '/v1/messages') return { dialect: anthropic, streaming: (b) => b.stream === true }
  const m = GEMINI_PATH.exec(pathname)
  if (m) return { dialect: gemini, streaming: () => m[2] === 'streamGenerateContent', pathModel: m[1] }
  if (pathname === '/v1internal:generateContent' || pathname === '/v1internal:streamGenerateContent') {
    return { dialect: codeAssist, streaming: () => pathname.endsWith('streamGenerateContent') }
  }
  return undefined
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    return undefined
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

const sendError = (res: ServerResponse, reply: ErrorReply) => sendJson(res, reply.status, reply.body, reply.headers)

export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const keys = options.keys ?? [UPSTREAM_KEY]
  const requests: RecordedRequest[] = []
  const queue: Scenario[] = []
  const byModel = new Map<string, Scenario>()
  const events = new EventEmitter()
  let fallback: Scenario = {}
  let clientClosed = 0

  const pick = (model: string): Scenario => queue.shift() ?? byModel.get(model) ?? fallback

  async function writeStream(res: ServerResponse, dialect: Dialect, p: Plan, isClosed: () => boolean, markDropped: () => void) {
    const s = p.scenario
    const script = dialect.stream(p)
    let flushed: Promise<void> = Promise.resolve()
    const write = (text: string) => void (flushed = new Promise((resolve) => res.write(text, () => resolve())))
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' })
    res.flushHeaders()
    for (const piece of script.head) write(piece)
    for (let i = 0; i <= p.pieces.length; i++) {
      const piece = p.pieces[i]
      // A fault takes the place of delta i (after the same delay), so it arrives in its own read.
      if (piece === undefined && s.midStreamErrorAfter !== i && s.dropAfter !== i) break
      if (s.delayMs) await sleep(s.delayMs)
      if (isClosed()) return
      if (s.midStreamErrorAfter === i) {
        res.end(script.midStreamError(s.midStreamError ?? 'overloaded'))
        return
      }
      if (s.dropAfter === i) {
        markDropped()
        await flushed // hand the deltas to the OS first, so the client sees them before the cut
        res.socket?.destroy()
        return
      }
      if (piece === undefined) break
      if (s.heartbeat) write(script.heartbeat)
      write(script.delta(piece, i))
    }
    for (const piece of script.tail) write(piece)
    res.end()
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let closed = false
    let dropped = false
    res.on('close', () => {
      closed = true
      if (!res.writableFinished && !dropped) {
        clientClosed++
        events.emit('client-close')
      }
    })
    const url = new URL(req.url ?? '/', 'http://upstream')
    const r = route(req.method ?? 'GET', decodeURIComponent(url.pathname))
    const embeddings = embeddingRoute(req.method ?? 'GET', decodeURIComponent(url.pathname))
    const parsed = await readJson(req)
    const dialectName = r?.dialect.name ?? embeddings?.dialect.name ?? 'unknown'
    requests.push({ dialect: dialectName, method: req.method ?? '', path: url.pathname + url.search, headers: { ...req.headers }, body: parsed })
    if (embeddings) {
      const key = embeddings.dialect.apiKey(req.headers, url)
      if (!key || !keys.includes(key)) return sendError(res, embeddings.dialect.authError(key))
      const body = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
      const model = embeddings.model ?? String(body.model)
      const answer = answerEmbeddings(embeddings, body, pick(model))
      return sendJson(res, answer.status, answer.body, answer.headers)
    }
    if (url.pathname === '/v1internal:loadCodeAssist') {
      const bearer = codeAssist.apiKey(req.headers, url)
      if (!bearer || !options.acceptsAccessToken?.(bearer)) return sendError(res, codeAssist.authError(bearer))
      return sendJson(res, 200, loadCodeAssistAnswer)
    }
    const counting = countRoute(req.method ?? 'GET', decodeURIComponent(url.pathname))
    if (counting) {
      const dialect = counting === 'anthropic' ? anthropic : gemini
      requests[requests.length - 1]!.dialect = dialect.name
      const key = dialect.apiKey(req.headers, url)
      if (!key || !keys.includes(key)) return sendError(res, dialect.authError(key))
      const body = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
      const queued = queue.shift()
      if (queued?.fail) return sendError(res, dialect.error(queued.fail, dialect.prepare(counting === 'anthropic' ? { messages: [], ...body } : { contents: [] }, queued, '')))
      return sendError(res, counting === 'anthropic' ? anthropicCount(body, req.headers) : geminiCount(body))
    }
    if (!r) return sendJson(res, 404, { error: { message: `no route for ${req.method} ${url.pathname}` } })

    const { dialect } = r
    const key = dialect.apiKey(req.headers, url)
    if (!key || !(keys.includes(key) || options.acceptsAccessToken?.(key))) return sendError(res, dialect.authError(key))
    const body = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
    const invalid = dialect.validate(body, req.headers)
    if (invalid) return sendError(res, invalid)

    const model = r.pathModel ?? String(body.model)
    let p = dialect.prepare(body, pick(model), model)
    if (p.scenario.headersDelayMs) await sleep(p.scenario.headersDelayMs)
    if (closed) return
    if (!p.scenario.fail && options.contextWindow !== undefined && p.promptTokens > options.contextWindow) {
      p = { ...p, scenario: { ...p.scenario, fail: 'context_length', contextWindow: options.contextWindow } }
    }
    const { fail } = p.scenario
    if (fail) {
      const reply = dialect.error(fail, p)
      const withMessage = p.scenario.message ? overrideMessage(reply, p.scenario.message) : reply
      return sendError(res, { ...withMessage, status: p.scenario.status ?? reply.status })
    }

    if (!r.streaming(body)) return sendJson(res, 200, dialect.json(p))
    if (dialect === gemini && url.searchParams.get('alt') !== 'sse') return sendJson(res, 200, geminiChunks(p))
    await writeStream(res, dialect, p, () => closed, () => (dropped = true))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } })
      else res.destroy()
    })
  })
  server.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    keys,
    requests,
    get clientClosed() {
      return clientClosed
    },
    enqueue: (...scenarios) => void queue.push(...scenarios),
    forModel: (model, scenario) => void byModel.set(model, scenario),
    setDefault: (scenario) => void (fallback = scenario),
    reset: () => {
      queue.length = 0
      byModel.clear()
      fallback = {}
      requests.length = 0
      clientClosed = 0
    },
    waitForClientClose: (count = 1, timeoutMs = 2_000) =>
      new Promise<void>((resolve, reject) => {
        if (clientClosed >= count) return resolve()
        const timer = setTimeout(() => {
          events.off('client-close', check)
          reject(new Error(`upstream saw ${clientClosed} client close(s), expected ${count}`))
        }, timeoutMs)
        function check() {
          if (clientClosed < count) return
          clearTimeout(timer)
          events.off('client-close', check)
          resolve()
        }
        events.on('client-close', check)
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** Replaces the provider message in any of the three error body shapes. */
function overrideMessage(reply: ErrorReply, message: string): ErrorReply {
  const body = structuredClone(reply.body) as { error?: { message?: string } }
  if (body.error) body.error.message = message
  return { ...reply, body }
}
