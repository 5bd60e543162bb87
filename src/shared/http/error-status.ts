import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ErrorCode } from '../errors.ts'

/** The one place that decides which HTTP status each error code gets. Exhaustive by type. */
export const ERROR_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  PASSWORD_CHANGE_REQUIRED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  SERVICE_UNAVAILABLE: 503,
  CONTEXT_TOO_LONG: 400,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_RATE_LIMITED: 429,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_BAD_REQUEST: 502,
  PROVIDER_ERROR: 502,
  INTERNAL: 500,
}
