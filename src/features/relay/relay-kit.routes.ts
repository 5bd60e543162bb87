import type { Context } from 'hono'
import type { AppEnv, AppRouter } from '../../shared/http/app-env.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import type { ClientDialect } from './relay-call.ts'

/** What relay.routes.ts hands the routes that live in their own files (embeddings, responses). */
export interface RelayRouteKit {
  router: AppRouter
  /** The platform key of the request (401 in the dialect's shape otherwise); sets the actor. */
  authenticate(c: Context<AppEnv>, dialect: ClientDialect): Promise<KeyPrincipal>
  /** The body as JSON, within RELAY_BODY_LIMIT_BYTES (413), and its length in characters. */
  readJson(c: Context<AppEnv>): Promise<{ json: unknown; chars: number }>
  /**
   * Runs a route's work with the relay's error handling: any failure before the response started
   * is answered in `dialect`'s error shape, and a client that left gets a quiet 499. `client` is
   * aborted when the client goes away.
   */
  answer(c: Context<AppEnv>, dialect: ClientDialect, work: (client: AbortController) => Promise<Response>): Promise<Response>
  /** Between heartbeats of a stream that waits (RelayOptions.heartbeatMs). */
  heartbeatMs: number
}
