import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { AppError, ServiceUnavailable, type ErrorCode } from '../errors.ts'
import { isDatabaseUnavailable } from '../infra/database/connection-errors.ts'
import type { AppEnv } from './app-env.ts'
import { ERROR_STATUS } from './error-status.ts'

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; requestId: string }
}

/** Maps anything thrown to a coded AppError. Unknown errors become INTERNAL and are never echoed. */
export function toAppError(err: unknown): { appError: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { appError: err, unexpected: false }
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) {
      return { appError: new AppError('INVALID_JSON', 'The request body is not valid JSON'), unexpected: false }
    }
    if (err.status === 413) return { appError: new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large'), unexpected: false }
    if (err.status === 401) return { appError: new AppError('UNAUTHENTICATED', 'Authentication required'), unexpected: false }
    if (err.status < 500) return { appError: new AppError('VALIDATION_FAILED', err.message || 'Bad request'), unexpected: false }
  }
  // The database is down or unreachable: the client may retry (503), and it is not a bug (no stack logged).
  if (isDatabaseUnavailable(err)) {
    return { appError: new ServiceUnavailable('The database is temporarily unavailable; retry shortly', 5), unexpected: false }
  }
  if (isRedisUnavailable(err)) {
    return { appError: new ServiceUnavailable('A shared service (Redis) is temporarily unavailable; retry shortly', 5), unexpected: false }
  }
  return { appError: new AppError('INTERNAL', 'Internal server error'), unexpected: true }
}

/** ioredis gives up on a command while the server is unreachable with these (no error code). */
const isRedisUnavailable = (err: unknown): boolean =>
  err instanceof Error && /Reached the max retries per request limit|Connection is closed|Stream isn't writeable/.test(err.message)

export function errorResponse(c: Context<AppEnv>, appError: AppError): Response {
  const requestId = c.get('requestId') ?? 'unknown'
  const body: ErrorBody = {
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details === undefined ? {} : { details: appError.details }),
      requestId,
    },
  }
  if (appError.retryAfter !== undefined) c.header('retry-after', String(Math.max(1, Math.ceil(appError.retryAfter))))
  return c.json(body, ERROR_STATUS[appError.code])
}

export function handleError(err: unknown, c: Context<AppEnv>): Response {
  const { appError, unexpected } = toAppError(err)
  const log = c.get('log')
  if (unexpected) log?.error({ err }, 'unhandled error')
  return errorResponse(c, appError)
}
