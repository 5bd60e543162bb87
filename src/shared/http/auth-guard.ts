import type { Context, MiddlewareHandler } from 'hono'
import { isAdmin, type Actor } from '../actor.ts'
import { Forbidden, Unauthenticated } from '../errors.ts'
import type { AppEnv } from './app-env.ts'

/**
 * The authenticated caller, set by the authentication middleware; 401 when there is none, or the
 * middleware's reason for refusing the header that was sent (401 invalid/expired, 403 must change password).
 */
export function requireActor(c: Context<AppEnv>): Actor {
  const actor = c.get('actor')
  if (!actor) throw c.get('authRefusal') ?? new Unauthenticated()
  return actor
}

/** The authenticated caller when they are an admin; 403 otherwise. */
export function requireAdmin(c: Context<AppEnv>): Actor {
  const actor = requireActor(c)
  if (!isAdmin(actor)) throw new Forbidden('Administrator role required')
  return actor
}

/**
 * Route middleware versions, so that authorization is decided before input validation:
 * an anonymous caller gets 401 even when their body is also invalid.
 */
export const signedIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireActor(c)
  await next()
}
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireAdmin(c)
  await next()
}
