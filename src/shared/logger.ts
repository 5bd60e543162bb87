import { pino, type Logger, type DestinationStream } from 'pino'
import { token } from './di.ts'

export type { Logger }
export const Log = token<Logger>('Logger')

/** Paths pino blanks out wherever they appear in a log line. Secrets never reach the output. */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'currentPassword',
  'apiKey',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.apiKey',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'chatbase' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  )
}
