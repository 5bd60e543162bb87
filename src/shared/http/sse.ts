import type { Context } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'

/** Proxies and CDNs cut idle streams after 60-125 s; a comment every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000

export interface SseChannel {
  send(event: string, data: unknown): Promise<void>
  comment(text: string): Promise<void>
  /** Aborted when the client disconnects. */
  readonly clientSignal: AbortSignal
}

/**
 * An SSE response with the headers reverse proxies need, a heartbeat while the producer is quiet,
 * and backpressure: each send waits until the client has taken the previous event.
 */
export function sseResponse(c: Context, produce: (channel: SseChannel) => Promise<void>): Response {
  c.header('X-Accel-Buffering', 'no')
  return streamSSE(c, async (stream: SSEStreamingApi) => {
    const client = new AbortController()
    stream.onAbort(() => client.abort())
    const heartbeat = setInterval(() => void stream.write(': keepalive\n\n'), HEARTBEAT_MS)
    const channel: SseChannel = {
      send: (event, data) => (stream.aborted ? Promise.resolve() : stream.writeSSE({ event, data: JSON.stringify(data) })),
      comment: async (text) => {
        if (!stream.aborted) await stream.write(`: ${text}\n\n`)
      },
      clientSignal: client.signal,
    }
    try {
      await produce(channel)
    } finally {
      clearInterval(heartbeat)
    }
  })
}
