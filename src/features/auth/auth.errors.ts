import { AppError, ServiceUnavailable, Unauthenticated } from '../../shared/errors.ts'

export class InvalidCredentials extends Unauthenticated {
  constructor() {
    super('Invalid username or password')
  }
}
export class TokenExpired extends AppError {
  constructor() {
    super('TOKEN_EXPIRED', 'The access token has expired; refresh it')
  }
}
export class InvalidToken extends Unauthenticated {
  constructor(message = 'The token is invalid or has been revoked') {
    super(message)
  }
}
export class RefreshTokenReused extends Unauthenticated {
  constructor() {
    super('This refresh token was already used; every session of this login has been revoked. Log in again.')
  }
}
export class TooManyAttempts extends AppError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many failed logins; try again in ${retryAfterSeconds} s`, undefined, retryAfterSeconds)
  }
}
export class TooManyRegistrations extends AppError {
  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many registrations from your address; try again in ${retryAfterSeconds} s`, undefined, retryAfterSeconds)
  }
}
/** Every password-hashing worker is busy and the queue is full: shed rather than pile up. */
export class PasswordHashingBusy extends ServiceUnavailable {
  constructor() {
    super('The server is busy checking passwords; retry shortly', 1)
  }
}
export class RegistrationClosed extends AppError {
  constructor(reason: string) {
    super('FORBIDDEN', reason)
  }
}
export class PasswordChangeRequired extends AppError {
  constructor() {
    super('PASSWORD_CHANGE_REQUIRED', 'You must change your password before doing anything else (POST /api/auth/password)')
  }
}
