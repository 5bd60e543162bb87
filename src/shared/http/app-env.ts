import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import type { Actor } from '../actor.ts'

/** Per-request values that middleware sets on the Hono context. */
export interface AppEnv {
  Variables: {
    requestId: string
    log: Logger
    actor?: Actor
    /** The login (refresh-token family) of the access token, when the caller used one. */
    familyId?: string
  }
}
export type AppRouter = OpenAPIHono<AppEnv>
