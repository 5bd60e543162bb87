import type { Context, MiddlewareHandler } from 'hono'
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

/** Marks the response so Node closes the connection after it instead of draining the unread body. */
export const closeAfterResponse = (headers: Headers): void => headers.set('connection', 'close')

const hasBody = (c: Context): boolean =>
  nodeOf(c).incoming ? requestHeader(c, 'content-length') !== undefined || requestHeader(c, 'transfer-encoding') !== undefined : c.req.raw.body !== null

/** BODY_LIMIT_BYTES for every route `skip` does not claim (the relay checks its own, in its dialect). */
export function appBodyLimit(limit: number, skip: (path: string) => boolean): MiddlewareHandler<AppEnv> {
  const limited = bodyLimit({
    maxSize: limit,
    onError: (c) => {
      const res = errorResponse(c, new PayloadTooLarge(limit))
      closeAfterResponse(res.headers)
      return res
    },
  })
  // Requests without a body (GET, probes) skip the check, and with it building a WHATWG Request on Node.
  return (c, next) => (skip(c.req.path) || !hasBody(c) ? next() : limited(c, next))
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
        // The rest is drained unread (no memory; REQUEST_TIMEOUT_MS bounds how long), so the client
        // reads its 413 instead of a reset; the 413 then closes the connection (closeAfterResponse).
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
