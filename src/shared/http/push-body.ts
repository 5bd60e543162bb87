import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { Context, MiddlewareHandler } from 'hono'
import type { ServerResponse } from 'node:http'
import type { ByteSink, PushBody } from '../byte-sink.ts'
import type { AppEnv } from './app-env.ts'
import { nodeOf } from './node-request.ts'

export interface PushBodyOptions {
  /** Written whenever nothing else was for `heartbeatMs` / 2 .. `heartbeatMs` (keeps proxies from cutting the connection). */
  heartbeat: Uint8Array
  heartbeatMs: number
  /** The reader of the WHATWG stream cancelled it (on Node the caller watches the response's 'close'). */
  onCancel?: () => void
}

interface Pending extends PushBodyOptions {
  body: PushBody
}

// Where a pushed body waits for the outermost middleware (see pushBodies): one per request.
const pendingBodies = new WeakMap<Context, Pending>()

/**
 * Answers with a body that the producer pushes into a sink (a relayed stream: thousands of chunks
 * a second). On Node the chunks are written straight to the socket once every middleware has set
 * its headers (pushBodies); elsewhere (app.request in tests, other runtimes) they go through a
 * ReadableStream. Either way a slow client pauses the producer.
 */
export function pushResponse(c: Context<AppEnv>, body: PushBody, init: { status: number; headers: Record<string, string> }, options: PushBodyOptions): Response {
  if (nodeOf(c).outgoing) {
    pendingBodies.set(c, { body, ...options })
    return new Response(null, init)
  }
  return new Response(readableOf(body, options), init)
}

/**
 * The outermost middleware: once the others decorated the response (request id, security and CORS
 * headers), writes its head and the pushed body to the Node response and tells the Node adapter the
 * response is already being sent.
 */
export function pushBodies(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    const pending = pendingBodies.get(c)
    const out = nodeOf(c).outgoing
    if (!pending || !out) return
    const head: Record<string, string> = {}
    c.res.headers.forEach((value, name) => (head[name] = value))
    out.writeHead(c.res.status, head)
    void writeToNode(out, pending)
    // Unset first, or Hono copies every header into the marker (work for a response already sent).
    c.res = undefined as never
    c.res = RESPONSE_ALREADY_SENT
  }
}

async function writeToNode(out: ServerResponse, { body, heartbeat, heartbeatMs }: Pending): Promise<void> {
  let sent = false
  const sink: ByteSink = {
    write(bytes) {
      if (out.destroyed) return true
      sent = true
      return out.write(bytes)
    },
    onDrain(resume) {
      if (out.destroyed) return resume() // the client left: its 'close' has passed
      const go = () => {
        out.off('drain', go)
        out.off('close', go)
        resume()
      }
      out.on('drain', go)
      out.on('close', go)
    },
  }
  const timer = setInterval(() => {
    if (!sent) sink.write(heartbeat)
    sent = false
  }, heartbeatMs / 2)
  try {
    await body(sink)
  } finally {
    clearInterval(timer)
    if (!out.destroyed) out.end()
  }
}

/** The same pushed body as a WHATWG stream (pull-based: the producer waits while the reader is behind). */
function readableOf(body: PushBody, { heartbeat, heartbeatMs, onCancel }: PushBodyOptions): ReadableStream<Uint8Array> {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let waiting: (() => void) | undefined
  let closed = false
  let sent = false
  let timer: NodeJS.Timeout | undefined
  const wake = () => {
    const resume = waiting
    waiting = undefined
    resume?.()
  }
  const sink: ByteSink = {
    write(bytes) {
      if (closed) return true
      sent = true
      controller.enqueue(bytes)
      return (controller.desiredSize ?? 0) > 0
    },
    onDrain(resume) {
      waiting = resume
      if (closed) wake()
    },
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        timer = setInterval(() => {
          if (!sent) sink.write(heartbeat)
          sent = false
        }, heartbeatMs / 2)
        void body(sink).finally(() => {
          clearInterval(timer)
          if (!closed) controller.close()
          closed = true
        })
      },
      pull: wake,
      cancel() {
        closed = true
        clearInterval(timer)
        onCancel?.()
        wake()
      },
    },
    { highWaterMark: 16 },
  )
}
