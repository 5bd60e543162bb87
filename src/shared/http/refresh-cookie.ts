import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { requestHeader } from './node-request.ts'

/**
 * The browser console keeps its refresh token in an httpOnly cookie that only the refresh route
 * ever receives; page scripts never see it. API clients keep the JSON body (`refreshToken`).
 * A request opts in with this header, which a cross-site form cannot send (it needs a CORS
 * preflight), on top of SameSite=Strict.
 */
export const REFRESH_COOKIE_HEADER = 'x-refresh-cookie'
export const REFRESH_COOKIE = 'chatbase_refresh'
export const REFRESH_COOKIE_PATH = '/api/auth/refresh'

export const wantsRefreshCookie = (c: Context) => requestHeader(c, REFRESH_COOKIE_HEADER) === '1'

/** Over https (directly, or behind a trusted proxy that says so) the cookie is Secure. */
function isHttps(c: Context, trustProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true
  return trustProxy && requestHeader(c, 'x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
}

export function setRefreshCookie(c: Context, token: string, expiresAt: Date, trustProxy: boolean): void {
  setCookie(c, REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c, trustProxy),
    path: REFRESH_COOKIE_PATH,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
  })
}

export const readRefreshCookie = (c: Context): string | undefined => getCookie(c, REFRESH_COOKIE) || undefined

export function clearRefreshCookie(c: Context, trustProxy: boolean): void {
  deleteCookie(c, REFRESH_COOKIE, { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'Strict', secure: isHttps(c, trustProxy) })
}
