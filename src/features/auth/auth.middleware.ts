import type { MiddlewareHandler } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import { AppError, Unauthenticated } from '../../shared/errors.ts'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { requestHeader } from '../../shared/http/node-request.ts'
import { PasswordChangeRequired } from './auth.errors.ts'
import { AuthenticateAccessToken } from './authenticate-access-token.use-case.ts'

/** Routes a user with a one-time (must-change) password may still call. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['/api/auth/me', '/api/auth/password', '/api/auth/logout'])

/**
 * Sets the actor when the request carries a valid `Authorization: Bearer <access token>`.
 * A header that is malformed, forged, expired or revoked (or a user who must change their password
 * first) sets no actor: the refusal is kept in `authRefusal`, and the guards (signedIn, adminOnly,
 * requireActor) answer with it. Public routes never look, so a stray or stale header does not turn
 * /api/info, login, register or refresh into a 401.
 */
export function authenticate(container: DependencyContainer): MiddlewareHandler<AppEnv> {
  const authenticateToken = container.resolve(AuthenticateAccessToken)
  return async (c, next) => {
    const header = requestHeader(c, 'authorization')
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!match) c.set('authRefusal', new Unauthenticated('Use the header "Authorization: Bearer <access token>"'))
      else {
        try {
          const caller = await authenticateToken.execute(match[1]!)
          if (caller.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(c.req.path)) c.set('authRefusal', new PasswordChangeRequired())
          else {
            c.set('actor', caller.actor)
            c.set('familyId', caller.familyId)
          }
        } catch (err) {
          // Only the token's own verdict is deferred; a database outage stays a 5xx for everyone.
          if (!(err instanceof AppError)) throw err
          c.set('authRefusal', err)
        }
      }
    }
    await next()
  }
}
