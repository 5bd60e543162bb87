import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import { requireActor, signedIn } from '../../shared/http/auth-guard.ts'
import { clientAddress } from '../../shared/http/client-address.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie, wantsRefreshCookie } from '../../shared/http/refresh-cookie.ts'
import { Unauthenticated } from '../../shared/errors.ts'
import { ChangePassword } from './change-password.use-case.ts'
import { GetMe } from './get-me.use-case.ts'
import { LogIn } from './log-in.use-case.ts'
import { LogOut } from './log-out.use-case.ts'
import { RefreshSession } from './refresh-session.use-case.ts'
import { RegisterUser } from './register-user.use-case.ts'
import type { IssuedSession } from './session-issuer.ts'
import {
  ChangePasswordSchema,
  CredentialsSchema,
  LogoutSchema,
  PublicUserSchema,
  RefreshSchema,
  SessionSchema,
} from './auth.schemas.ts'

const body = <T>(schema: T) => ({ body: { content: { 'application/json': { schema } }, required: true } })
const bearer = [{ bearerAuth: [] }]
const cookieMode = {
  headers: z.object({
    'x-refresh-cookie': z.literal('1').optional().openapi({
      description:
        'Browser mode: the refresh token goes into an httpOnly, SameSite=Strict cookie `chatbase_refresh` (Secure over https) scoped to Path=/api/auth/refresh, and is left out of the JSON body',
    }),
  }),
}

const register = createRoute({
  method: 'post',
  path: '/api/auth/register',
  tags: ['auth'],
  summary: 'Create an account (when registration is open) and log in',
  request: { ...body(CredentialsSchema), ...cookieMode },
  responses: { 201: jsonContent(SessionSchema, 'Registered and logged in'), ...errorResponses(400, 403, 409, 429, 503) },
})
const login = createRoute({
  method: 'post',
  path: '/api/auth/login',
  tags: ['auth'],
  summary: 'Log in with username and password',
  request: { ...body(CredentialsSchema), ...cookieMode },
  responses: { 200: jsonContent(SessionSchema, 'Logged in'), ...errorResponses(400, 401, 429, 503) },
})
const refresh = createRoute({
  method: 'post',
  path: '/api/auth/refresh',
  tags: ['auth'],
  summary: 'Exchange a refresh token for a new session (the refresh token rotates)',
  description: 'The token comes from the body, or, with `x-refresh-cookie: 1` and no body, from the `chatbase_refresh` cookie (which is then rotated too).',
  request: { body: { content: { 'application/json': { schema: RefreshSchema } }, required: false }, ...cookieMode },
  responses: { 200: jsonContent(SessionSchema, 'New session'), ...errorResponses(400, 401) },
})
const logout = createRoute({
  method: 'post',
  path: '/api/auth/logout',
  tags: ['auth'],
  summary: 'End this login: its refresh-token family and access tokens stop working',
  security: bearer,
  middleware: [signedIn] as const,
  request: { body: { content: { 'application/json': { schema: LogoutSchema } }, required: false } },
  responses: { 204: { description: 'Logged out' }, ...errorResponses(400, 401) },
})
const me = createRoute({
  method: 'get',
  path: '/api/auth/me',
  tags: ['auth'],
  summary: 'The current user',
  security: bearer,
  middleware: [signedIn] as const,
  responses: { 200: jsonContent(PublicUserSchema, 'Current user'), ...errorResponses(401) },
})
const changePassword = createRoute({
  method: 'post',
  path: '/api/auth/password',
  tags: ['auth'],
  summary: 'Change your own password; every other session of yours ends',
  security: bearer,
  middleware: [signedIn] as const,
  request: { ...body(ChangePasswordSchema), ...cookieMode },
  responses: { 200: jsonContent(SessionSchema, 'Password changed; a fresh session'), ...errorResponses(400, 401, 503) },
})

export function authRoutes(container: DependencyContainer, options: { trustProxy: boolean }) {
  const registerUser = container.resolve(RegisterUser)
  const logIn = container.resolve(LogIn)
  const refreshSession = container.resolve(RefreshSession)
  const logOut = container.resolve(LogOut)
  const getMe = container.resolve(GetMe)
  const changeOwnPassword = container.resolve(ChangePassword)

  return createRouter()
    .openapi(register, async (c) => {
      const input = { ...c.req.valid('json'), clientAddress: clientAddress(c, options.trustProxy) }
      return c.json(deliver(c, await registerUser.execute(input)), 201)
    })
    .openapi(login, async (c) => {
      const input = { ...c.req.valid('json'), clientAddress: clientAddress(c, options.trustProxy) }
      return c.json(deliver(c, await logIn.execute(input)), 200)
    })
    .openapi(refresh, async (c) => {
      const refreshToken = c.req.valid('json')?.refreshToken ?? (wantsRefreshCookie(c) ? readRefreshCookie(c) : undefined)
      if (!refreshToken) throw new Unauthenticated('No refresh token: send {"refreshToken"}, or the refresh cookie with x-refresh-cookie: 1')
      try {
        return c.json(deliver(c, await refreshSession.execute({ refreshToken })), 200)
      } catch (err) {
        if (wantsRefreshCookie(c)) clearRefreshCookie(c, options.trustProxy)
        throw err
      }
    })
    .openapi(logout, async (c) => {
      requireActor(c)
      const input = c.req.valid('json') ?? {}
      await logOut.execute({ familyId: c.get('familyId'), refreshToken: input.refreshToken })
      clearRefreshCookie(c, options.trustProxy)
      return c.body(null, 204)
    })
    .openapi(me, async (c) => c.json(await getMe.execute({ actor: requireActor(c) }), 200))
    .openapi(changePassword, async (c) => {
      const input = c.req.valid('json')
      return c.json(deliver(c, await changeOwnPassword.execute({ actor: requireActor(c), ...input })), 200)
    })

  /** In cookie mode the refresh token is set as the cookie and left out of the body. */
  function deliver(c: Context, session: IssuedSession): SessionBody {
    if (!wantsRefreshCookie(c)) return session
    setRefreshCookie(c, session.refreshToken, new Date(session.refreshExpiresAt), options.trustProxy)
    const { refreshToken: _inCookie, ...rest } = session
    return rest
  }
}

type SessionBody = Omit<IssuedSession, 'refreshToken'> & { refreshToken?: string }
