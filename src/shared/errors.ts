/**
 * Every failure a client may see has a code. The HTTP status for each code is decided once, in
 * shared/http/error-status.ts. Messages must never contain secrets.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'FORBIDDEN',
  'PASSWORD_CHANGE_REQUIRED',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'SERVICE_UNAVAILABLE',
  'CONTEXT_TOO_LONG',
  'PROVIDER_AUTH_FAILED',
  'PROVIDER_RATE_LIMITED',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_BAD_REQUEST',
  'PROVIDER_ERROR',
  'OAUTH_INVALID_GRANT',
  'OAUTH_ENDPOINT_FAILED',
  'OAUTH_ENDPOINT_TIMEOUT',
  'OUTBOUND_ADDRESS_REFUSED',
  'INTERNAL',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds a client should wait before retrying (429/503). */
    readonly retryAfter?: number,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class ValidationFailed extends AppError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, details)
  }
}
export class NotFound extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`)
  }
}
export class Conflict extends AppError {
  constructor(message: string) {
    super('CONFLICT', message)
  }
}
export class Forbidden extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', message)
  }
}
export class Unauthenticated extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message)
  }
}
export class ServiceUnavailable extends AppError {
  constructor(message: string, retryAfter?: number) {
    super('SERVICE_UNAVAILABLE', message, undefined, retryAfter)
  }
}
