// The one way the console talks to the server. The access token lives in this module's memory
// only; the refresh token is an httpOnly cookie the page never sees (x-refresh-cookie: 1), so a
// reload signs in again through POST /api/auth/refresh.

export interface User {
  id: string
  username: string
  role: 'ADMIN' | 'USER'
  disabled: boolean
  mustChangePassword: boolean
  createdAt: string
  updatedAt: string
}

interface Session {
  accessToken: string
  expiresIn: number
  user: User
}

export interface FieldProblem {
  path: string
  message: string
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly retryAfter?: number,
  ) {
    super(message)
  }
}

const COOKIE_MODE = { 'x-refresh-cookie': '1' }
let accessToken: string | null = null
let refreshing: Promise<User | null> | null = null
let onSignedOut: (reason: string) => void = () => {}

export const whenSignedOut = (listener: (reason: string) => void) => (onSignedOut = listener)

function networkError(): ApiError {
  return new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection and try again.')
}

async function errorOf(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after')) || undefined
  try {
    const { error } = await res.json()
    return new ApiError(res.status, error.code, error.message, error.details ?? [], retry)
  } catch {
    return new ApiError(res.status, 'HTTP_' + res.status, `The server answered ${res.status} ${res.statusText}`.trim(), [], retry)
  }
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  const all: Record<string, string> = { ...headers }
  if (accessToken) all.authorization = `Bearer ${accessToken}`
  if (body !== undefined) all['content-type'] = 'application/json'
  try {
    return await fetch(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw networkError()
  }
}

function adopt(session: Session): User {
  accessToken = session.accessToken
  return session.user
}

export async function signIn(username: string, password: string): Promise<User> {
  accessToken = null
  const res = await send('POST', '/api/auth/login', { username, password }, COOKIE_MODE)
  if (!res.ok) throw await errorOf(res)
  return adopt(await res.json())
}

/** A new access token from the refresh cookie; null when there is no (valid) login. Shared by concurrent callers. */
export function resume(): Promise<User | null> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', headers: COOKIE_MODE, credentials: 'same-origin' })
      if (!res.ok) {
        accessToken = null
        return null
      }
      return adopt(await res.json())
    } catch {
      throw networkError()
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

export async function signOut(): Promise<void> {
  if (accessToken) await send('POST', '/api/auth/logout').catch(() => undefined)
  accessToken = null
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<User> {
  const res = await request('POST', '/api/auth/password', { currentPassword, newPassword }, undefined, COOKIE_MODE)
  return adopt(await res.json())
}

/**
 * An authenticated request. An expired access token is refreshed once from the cookie and the
 * request repeated; a login that ended (logout elsewhere, password change) signs the page out.
 */
export async function request(method: string, path: string, body?: unknown, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<Response> {
  let res = await send(method, path, body, headers, signal)
  if (res.status === 401 && accessToken) {
    const user = await resume()
    if (!user) {
      onSignedOut('Your session has expired. Please sign in again.')
      throw await errorOf(res)
    }
    res = await send(method, path, body, headers, signal)
  }
  if (!res.ok) throw await errorOf(res)
  return res
}

export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body)
  return (res.status === 204 ? undefined : await res.json()) as T
}

export const get = <T,>(path: string) => api<T>('GET', path)
export const post = <T,>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
export const patch = <T,>(path: string, body: unknown) => api<T>('PATCH', path, body)
export const put = <T,>(path: string, body: unknown) => api<T>('PUT', path, body)
export const del = (path: string) => api<void>('DELETE', path)

/** A message for the page: the server's own message, with each field problem named. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.details.map((d) => `${d.path || 'request'}: ${d.message}`).join('; ')
    const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : ''
    return (fields ? `${err.message} (${fields})` : err.message) + wait
  }
  return (err as Error)?.message || 'Something went wrong'
}
