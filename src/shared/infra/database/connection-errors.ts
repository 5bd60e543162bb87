/**
 * Recognises "the database cannot be used right now" (as opposed to a bad query) in whatever shape
 * it arrives: Prisma's coded errors, driver adapter errors (`DriverAdapterError` with a `kind`), or
 * the raw pg / socket errors that the adapter passes through unchanged. Used to answer 503
 * SERVICE_UNAVAILABLE instead of 500, and to give /ready a clear reason.
 */

/** P1001 can't reach, P1002 timed out, P1008 operations timed out, P1017 server closed the connection, P2024 pool timeout. */
const PRISMA_CODES: Record<string, string> = {
  P1001: 'unreachable',
  P1002: 'timed out',
  P1008: 'timed out',
  P1017: 'connection closed',
  P2024: 'timed out waiting for a connection',
}
const ADAPTER_KINDS: Record<string, string> = {
  DatabaseNotReachable: 'unreachable',
  ConnectionClosed: 'connection closed',
  SocketTimeout: 'timed out',
  TooManyConnections: 'too many connections',
}
const SOCKET_CODES: Record<string, string> = {
  ECONNREFUSED: 'unreachable (connection refused)',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'unreachable (no route to host)',
  ENETUNREACH: 'unreachable (network unreachable)',
  ENOTFOUND: 'unreachable (host not found)',
  EAI_AGAIN: 'unreachable (host lookup failed)',
  EPIPE: 'connection closed',
}
/** PostgreSQL SQLSTATEs: 08xxx connection exceptions, 57P01-03 shutting down / starting up, 53300 too many connections. */
const PG_STATE = /^(08\d{3}|57P0[123]|53300)$/
const MESSAGES: [RegExp, string][] = [
  [/timeout exceeded when trying to connect|connection timeout/i, 'timed out connecting'],
  [/Connection terminated|Connection closed|Server has closed the connection|Client has encountered a connection error/i, 'connection closed'],
  [/Can't reach database server/i, 'unreachable'],
  [/the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command/i, 'restarting'],
  [/database is locked|SQLITE_BUSY/i, 'busy (locked)'],
]

const lookup = (table: Record<string, string>, key: string | undefined) => (key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined)

type Loose = { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } }

/** A short reason ("unreachable (connection refused)") when `err` means the database is unavailable. */
export function databaseUnavailableReason(err: unknown): string | undefined {
  const seen = new Set<unknown>()
  const queue: unknown[] = [err]
  // Prisma's coded error comes first; the driver error below it (meta.driverAdapterError, cause) is more precise.
  let fallback: string | undefined
  while (queue.length && seen.size < 10) {
    const current = queue.shift()
    if (typeof current !== 'object' || current === null || seen.has(current)) continue
    seen.add(current)
    const e = current as Loose
    const code = typeof e.code === 'string' ? e.code : undefined
    const kind = typeof e.kind === 'string' ? e.kind : undefined
    const message = typeof e.message === 'string' ? e.message : ''
    // A DriverAdapterError's message is its kind.
    const precise = lookup(SOCKET_CODES, code) ?? lookup(ADAPTER_KINDS, kind) ?? lookup(ADAPTER_KINDS, message)
    if (precise) return precise
    if (kind === 'postgres' && code && PG_STATE.test(code)) return `refused the connection (SQLSTATE ${code})`
    fallback ??= lookup(PRISMA_CODES, code)
    fallback ??= MESSAGES.find(([re]) => re.test(message))?.[1]
    queue.push(e.meta?.driverAdapterError, e.cause)
  }
  return fallback
}

export const isDatabaseUnavailable = (err: unknown): boolean => databaseUnavailableReason(err) !== undefined
