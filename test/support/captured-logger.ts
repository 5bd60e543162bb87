import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/shared/logger.ts'

/** A real (pino) logger whose JSON lines land in `into`, for tests that check what was logged. */
export function capturedLogger(into: string[] = [], level = 'debug'): { log: Logger; logs: string[] } {
  const sink = new Writable({ write: (chunk, _encoding, done) => void (into.push(String(chunk)), done()) })
  return { log: createLogger(level, sink), logs: into }
}
