import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import type { Actor } from '../actor.ts'
import type { AppError } from '../errors.ts'

/** Per-request values that middleware sets on the Hono context. */
export interface AppEnv {
  Variables: {
    requestId: string
    log: Logger
    actor?: Actor
    /** The login (refresh-token family) of the access token, when the caller used one. */
    familyId?: string
    /**
     * Why the Authorization header sent was not accepted (forged, expired, revoked, must change the
     * password). Only the guards answer with it; public routes ignore the header.
     */
    authRefusal?: AppError
    /** The metrics route label of a response no API route served (the web console's files). */
    routeLabel?: string
  }
}
export type AppRouter = OpenAPIHono<AppEnv>
