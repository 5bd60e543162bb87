import type { HttpBindings } from '@hono/node-server'
import type { Context } from 'hono'

/**
 * On @hono/node-server the raw Node request and response are at hand. Reading headers, the body
 * and the client's disconnect from them skips building a WHATWG Request with its Headers (a
 * measurable CPU cost on every request); elsewhere (app.request in tests) Hono's request is used.
 */
export const nodeOf = (c: Context): Partial<HttpBindings> => (c.env ?? {}) as Partial<HttpBindings>

/** A request header (the first value of a repeated one). */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = nodeOf(c).incoming
  if (!incoming) return c.req.header(name)
  const value = incoming.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** Has the client gone away (closed or reset its connection, or aborted the request)? */
export function clientClosed(c: Context): boolean {
  const { incoming, outgoing } = nodeOf(c)
  if (!outgoing) return c.req.raw.signal.aborted
  return outgoing.destroyed || outgoing.socket?.destroyed === true || (incoming?.destroyed === true && !incoming.complete)
}

/** nginx's "client closed request": the client left before the response started (metrics and logs). */
export const CLIENT_CLOSED_REQUEST = 499

/**
 * The status the access log and the metrics record: the handler's, unless the client left before
 * the response head went out (a body it stopped sending, a JSON answer it did not wait for), which
 * is a 499 whatever status the handler picked for nobody.
 */
export function answeredStatus(c: Context): number {
  const outgoing = nodeOf(c).outgoing
  if (outgoing && !outgoing.headersSent && clientClosed(c)) return CLIENT_CLOSED_REQUEST
  return c.res.status
}
