import type { MiddlewareHandler } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import { Unauthenticated } from '../../shared/errors.ts'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { requestHeader } from '../../shared/http/node-request.ts'
import { PasswordChangeRequired } from './auth.errors.ts'
import { AuthenticateAccessToken } from './authenticate-access-token.use-case.ts'

/** Routes a user with a one-time (must-change) password may still call. */
const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['/api/auth/me', '/api/auth/password', '/api/auth/logout'])

/**
 * Sets the actor when the request carries `Authorization: Bearer <access token>`. Routes decide
 * whether they need one (requireActor / requireAdmin); a bad or revoked token is always a 401.
 */
export function authenticate(container: DependencyContainer): MiddlewareHandler<AppEnv> {
  const authenticateToken = container.resolve(AuthenticateAccessToken)
  return async (c, next) => {
    const header = requestHeader(c, 'authorization')
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!match) throw new Unauthenticated('Use the header "Authorization: Bearer <access token>"')
      const caller = await authenticateToken.execute(match[1]!)
      c.set('actor', caller.actor)
      c.set('familyId', caller.familyId)
      if (caller.mustChangePassword && !ALLOWED_BEFORE_PASSWORD_CHANGE.has(c.req.path)) throw new PasswordChangeRequired()
    }
    await next()
  }
}
