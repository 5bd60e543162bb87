import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Logger } from 'pino'
import type { AppEnv } from './app-env.ts'
import { answeredStatus, requestHeader } from './node-request.ts'
import { redactPath } from './redact-path.ts'

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Gives every request an id (kept from the caller when it is sane), a child logger and one access-log line. */
export function requestContext(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = requestHeader(c, 'x-request-id')
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID()
    c.set('requestId', requestId)
    c.set('log', log.child({ requestId }))
    c.header('x-request-id', requestId)
    const started = performance.now()
    await next()
    c.res.headers.set('x-request-id', requestId)
    const status = answeredStatus(c)
    c.get('log')[status >= 500 ? 'error' : 'info'](
      {
        method: c.req.method,
        route: c.req.routePath,
        path: redactPath(c.req.path),
        status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        userId: c.get('actor')?.userId,
      },
      'request',
    )
  }
}
