import type { Context } from 'hono'
import type { ByteSink } from '../byte-sink.ts'
import type { AppEnv } from './app-env.ts'
import { nodeOf } from './node-request.ts'
import { pushResponse } from './push-body.ts'

/** Proxies and CDNs cut idle streams after 60-125 s; a comment when nothing else was sent for 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000

export const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }

const KEEPALIVE = new TextEncoder().encode(': keepalive\n\n')

export interface SseChannel {
  /** `id`: the SSE event id, which a client sends back as Last-Event-ID when it reconnects. */
  send(event: string, data: unknown, id?: string): Promise<void>
  comment(text: string): Promise<void>
  /** Aborted when the client disconnects. */
  readonly clientSignal: AbortSignal
}

/** Calls `abort` when the client goes away before the response is finished. */
export function onClientGone(c: Context, abort: () => void): void {
  const outgoing = nodeOf(c).outgoing
  if (!outgoing) return c.req.raw.signal.addEventListener('abort', abort, { once: true })
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) abort()
  })
}

/**
 * An SSE response with the headers reverse proxies need, a heartbeat while the producer is quiet,
 * and backpressure: a send waits while the client is behind. On Node the events are written
 * straight to the socket (pushResponse), without a WHATWG stream in between.
 */
export function sseResponse(c: Context<AppEnv>, produce: (channel: SseChannel) => Promise<void>): Response {
  const client = new AbortController()
  onClientGone(c, () => client.abort())
  const body = async (sink: ByteSink): Promise<void> => {
    const write = (text: string): Promise<void> => {
      if (client.signal.aborted || sink.write(Buffer.from(text, 'utf8'))) return Promise.resolve()
      return new Promise((resume) => sink.onDrain(resume))
    }
    const channel: SseChannel = {
      // JSON.stringify never emits a raw line break, so the data is always one `data:` line.
      send: (event, data, id) => write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      comment: (text) => write(`: ${text}\n\n`),
      clientSignal: client.signal,
    }
    try {
      await produce(channel)
    } catch (err) {
      // The head is sent: nothing left to answer with but the end of the stream.
      c.get('log')?.error({ err }, 'an SSE stream failed')
    }
  }
  return pushResponse(c, body, { status: 200, headers: SSE_HEADERS }, { heartbeat: KEEPALIVE, heartbeatMs: HEARTBEAT_MS, onCancel: () => client.abort() })
}
