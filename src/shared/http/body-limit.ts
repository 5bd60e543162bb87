import type { Context, MiddlewareHandler } from 'hono'
import type { Socket } from 'node:net'
import { bodyLimit } from 'hono/body-limit'
import { AppError } from '../errors.ts'
import type { AppEnv } from './app-env.ts'
import { errorResponse } from './error-envelope.ts'
import { nodeOf, requestHeader } from './node-request.ts'

/**
 * Request bodies are bounded per route family: `/v1` (the relay) reads its own body with
 * `readBodyText` against RELAY_BODY_LIMIT_BYTES, everything else goes through `appBodyLimit`
 * (BODY_LIMIT_BYTES). Either way a declared Content-Length above the limit is refused before a
 * byte is read, a body without one is counted as it streams in, and a refused request closes its
 * connection so the rest of an oversized upload is never read.
 */
export class PayloadTooLarge extends AppError {
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`)
  }
}

/** How long a refused upload's connection stays half-closed, discarding what the client still sends. */
export const LINGER_MS = 2_000

/**
 * Marks the response so the connection closes after it instead of reading the rest of an oversized
 * body, and makes that close linger. Closing a socket with unread bytes makes the kernel send a
 * reset, and a reset flushes the client's receive queue (RFC 9293 3.10.7.4): a client still
 * uploading lost the 413 it had not read yet and saw ECONNRESET/EPIPE instead. So, as nginx's
 * lingering_close does: after the response the server half-closes (the client sees the end of the
 * answer), reads and discards what is still in flight, and closes once the client is done or
 * LINGER_MS passed. Node's HTTP server ends a `connection: close` response with
 * `socket.destroySoon()`; for this one socket that becomes the lingering close.
 */
export function closeAfterResponse(c: Context, headers: Headers): void {
  headers.set('connection', 'close')
  const incoming = nodeOf(c).incoming
  const socket = incoming?.socket
  if (!incoming || !socket || socket.destroyed) return
  const destroySoon = socket.destroySoon.bind(socket)
  socket.destroySoon = function lingeringClose(this: Socket) {
    // The whole body arrived after all: nothing unread, nothing to linger for.
    if (incoming.complete) return destroySoon()
    // Whoever read the body has given up on it: the rest goes nowhere (no memory, no parsing into the app).
    incoming.removeAllListeners('data')
    incoming.resume()
    if (this.writable) this.end()
    const timer = setTimeout(() => this.destroy(), LINGER_MS).unref()
    this.once('close', () => clearTimeout(timer))
  }
}

const hasBody = (c: Context): boolean =>
  nodeOf(c).incoming ? requestHeader(c, 'content-length') !== undefined || requestHeader(c, 'transfer-encoding') !== undefined : c.req.raw.body !== null

/** BODY_LIMIT_BYTES for every route `skip` does not claim (the relay checks its own, in its dialect). */
export function appBodyLimit(limit: number, skip: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  const limited = bodyLimit({
    maxSize: limit,
    onError: (c) => {
      const res = errorResponse(c, new PayloadTooLarge(limit))
      closeAfterResponse(c, res.headers)
      return res
    },
  })
  // Requests without a body (GET, probes) skip the check, and with it building a WHATWG Request on Node.
  return (c, next) => (skip(c.req.path) || !hasBody(c) ? next() : limited(c, next))
}

/** The request body parsed as JSON (at most `limit` bytes) and its length; `invalidMessage` says it is not JSON. */
export async function readJsonBody(c: Context, limit: number, invalidMessage: string): Promise<{ json: unknown; chars: number }> {
  const raw = await readBodyText(c, limit)
  try {
    return { json: JSON.parse(raw), chars: raw.length }
  } catch {
    throw new AppError('INVALID_JSON', invalidMessage)
  }
}

/**
 * The request body as text, at most `limit` bytes: refused by Content-Length before reading, else
 * counted while it streams. One buffer per request: sized by Content-Length when there is one
 * (chunks are copied into it and dropped), else the chunks joined once at the end.
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const incoming = nodeOf(c).incoming
  const declared = requestHeader(c, 'content-length')
  const length = declared === undefined ? undefined : Number(declared)
  if (length !== undefined && (!Number.isFinite(length) || length > limit)) throw new PayloadTooLarge(limit)
  if (!incoming) {
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    if (bytes.byteLength > limit) throw new PayloadTooLarge(limit)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  }
  if (incoming.readableEnded) return ''
  // Events rather than `for await`: no promise per chunk.
  return new Promise((resolve, reject) => {
    const sized = length === undefined ? undefined : Buffer.allocUnsafe(length)
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      incoming.off('data', onData)
      incoming.off('end', onEnd)
      incoming.off('error', onError)
      incoming.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > (sized?.length ?? limit)) {
        cleanup()
        // The rest is drained unread (no memory) until the 413 has been sent, which then closes the
        // connection after a short linger (closeAfterResponse), so the client reads it instead of a reset.
        incoming.resume()
        return reject(new PayloadTooLarge(limit))
      }
      if (sized) chunk.copy(sized, size)
      else chunks.push(chunk)
      size += chunk.length
    }
    const onEnd = () => {
      cleanup()
      const body = sized ? sized.subarray(0, size) : Buffer.concat(chunks, size)
      chunks.length = 0
      resolve(body.toString('utf8'))
    }
    const onError = (err: Error) => {
      cleanup()
      reject(err)
    }
    // Closed before the end without an error event: the client went away.
    const onClose = () => onError(Object.assign(new Error('the client closed the request'), { code: 'ECONNRESET' }))
    incoming.on('data', onData)
    incoming.once('end', onEnd)
    incoming.once('error', onError)
    incoming.once('close', onClose)
  })
}
