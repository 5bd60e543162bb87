import type { Context } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import { resolve } from '../../shared/di.ts'
import { NotFound, Unauthenticated } from '../../shared/errors.ts'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { closeAfterResponse, readJsonBody } from '../../shared/http/body-limit.ts'
import { pushResponse } from '../../shared/http/push-body.ts'
import { redactPath } from '../../shared/http/redact-path.ts'
import { CLIENT_CLOSED_REQUEST, clientClosed, requestHeader } from '../../shared/http/node-request.ts'
import { createRouter } from '../../shared/http/router.ts'
import { onClientGone, SSE_HEADERS } from '../../shared/http/sse.ts'
import { ApiKeyAuthenticator, type KeyPrincipal } from './api-key-authenticator.port.ts'
import { dialectError } from './dialect-errors.ts'
import { ListRelayModels } from './list-relay-models.use-case.ts'
import { parseRelayCall, type ClientDialect } from './relay-call.ts'
import { RelayCompletion } from './relay-completion.use-case.ts'
import { RelayOptions } from './relay-options.ts'
import { anthropicPage, toAnthropicModel, toOpenAiModel } from './relay-model-list.ts'
import { documentRelay } from './relay.schemas.ts'
import type { RelayRouteKit } from './relay-kit.routes.ts'
import { countTokensRoutes } from './count-tokens.routes.ts'
import { embeddingsRoutes } from './embeddings/embeddings.routes.ts'
import { responsesRoutes } from './responses/responses.routes.ts'

export interface RelayRoutesOptions {
  /** Relay bodies carry whole conversations (and base64 images): a limit of their own (RELAY_BODY_LIMIT_BYTES). */
  bodyLimitBytes?: number
}

export const DEFAULT_RELAY_BODY_LIMIT = 8 * 1024 * 1024

/** /v1/messages speaks Anthropic; every other /v1 path speaks OpenAI. */
export const dialectOfPath = (path: string): ClientDialect => (path.startsWith('/v1/messages') ? 'anthropic' : 'openai')

/**
 * The format a request is answered in: its path's, except that /v1/models answers Anthropic's
 * shape to a request that carries `anthropic-version` (what Anthropic SDKs always send).
 */
export function formatOf(c: Context<AppEnv>): ClientDialect {
  const path = c.req.path
  if ((path === '/v1/models' || path.startsWith('/v1/models/')) && requestHeader(c, 'anthropic-version') !== undefined) return 'anthropic'
  return dialectOfPath(path)
}

/** The relay's paths (/v1 and Gemini's /v1beta): their bodies are read against the relay's own limit. */
export const isRelayPath = (path: string): boolean => path === '/v1' || path.startsWith('/v1/') || path === '/v1beta' || path.startsWith('/v1beta/')

/** An error in the dialect of the request's path; never the app's generic envelope. */
export function relayErrorResponse(c: Context<AppEnv>, err: unknown, dialect = formatOf(c)): Response {
  const { status, body, retryAfter, final, unexpected } = dialectError(dialect, err)
  if (unexpected) c.get('log')?.error({ err }, 'unhandled relay error')
  const payload = dialect === 'anthropic' ? { ...(body as object), request_id: c.get('requestId') } : body
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter)
  if (final) headers['x-should-retry'] = 'false'
  const res = new Response(JSON.stringify(payload), { status, headers })
  if (status === 413) closeAfterResponse(c, res.headers)
  return res
}

/** Nobody reads this answer: a quiet log line and a 499 for the access log and metrics, not an error. */
function clientClosedResponse(c: Context<AppEnv>, err: unknown): Response {
  c.get('log')?.debug({ reason: err instanceof Error ? err.message : String(err) }, 'client closed the request before the response started')
  return new Response(null, { status: CLIENT_CLOSED_REQUEST })
}

const MISSING_KEY: Record<ClientDialect, string> = {
  openai: "You didn't provide an API key. You need to provide your platform API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
  anthropic: 'x-api-key header is required',
  gemini: 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.',
}

const encoder = new TextEncoder()
const HEARTBEAT: Record<ClientDialect, Uint8Array> = {
  openai: encoder.encode(': keepalive\n\n'),
  gemini: encoder.encode(': keepalive\n\n'),
  anthropic: encoder.encode('event: ping\ndata: {"type": "ping"}\n\n'),
}

/**
 * The OpenAI- and Anthropic-compatible API for programs, authenticated with platform API keys
 * (`Authorization: Bearer` or `x-api-key`). Errors are answered in the client's dialect here,
 * inside the router: the app's error handler would use the generic envelope.
 */
export function relayRoutes(container: DependencyContainer, options: RelayRoutesOptions = {}) {
  const { heartbeatMs } = resolve(container, RelayOptions)
  const keys = resolve(container, ApiKeyAuthenticator)
  const relay = container.resolve(RelayCompletion)
  const listModels = container.resolve(ListRelayModels)
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_RELAY_BODY_LIMIT

  async function authenticate(c: Context<AppEnv>, dialect: ClientDialect): Promise<KeyPrincipal> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(requestHeader(c, 'authorization') ?? '')?.[1]
    const secret = bearer ?? requestHeader(c, 'x-api-key')?.trim()
    if (!secret) throw new Unauthenticated(MISSING_KEY[dialect])
    const principal = await keys.authenticate(secret)
    c.set('actor', principal.actor)
    return principal
  }

  const readJson = (c: Context<AppEnv>) => readJsonBody(c, bodyLimit, 'We could not parse the JSON body of your request.')

  async function answer(c: Context<AppEnv>, dialect: ClientDialect, work: (client: AbortController) => Promise<Response>): Promise<Response> {
    const client = new AbortController()
    try {
      return await work(client)
    } catch (err) {
      if (client.signal.aborted || clientClosed(c)) return clientClosedResponse(c, err)
      return relayErrorResponse(c, err, dialect)
    }
  }

  const complete = (c: Context<AppEnv>, dialect: ClientDialect) =>
    answer(c, dialect, async (client) => {
      const principal = await authenticate(c, dialect)
      const { json, chars } = await readJson(c)
      const headers = { anthropicVersion: requestHeader(c, 'anthropic-version'), anthropicBeta: requestHeader(c, 'anthropic-beta') }
      const call = parseRelayCall(dialect, json, chars, dialect === 'anthropic' ? headers : {})
      onClientGone(c, () => client.abort())
      const outcome = await relay.execute({ principal, call, clientSignal: client.signal })
      if (outcome.kind === 'json') {
        return new Response(outcome.body, { status: 200, headers: { 'content-type': 'application/json', 'x-overhead-ms': String(outcome.overheadMs) } })
      }
      return pushResponse(c, outcome.pipe, { status: 200, headers: SSE_HEADERS }, { heartbeat: HEARTBEAT[dialect], heartbeatMs, onCancel: () => client.abort() })
    })

  const router = createRouter()
  const kit: RelayRouteKit = { router, authenticate, readJson, answer, heartbeatMs }
  documentRelay(router)
  // Anthropic SDKs read the request id from `request-id` (err.requestID); OpenAI's from x-request-id, set for every request.
  router.use('/v1/*', async (c, next) => {
    await next()
    if (formatOf(c) === 'anthropic') c.res.headers.set('request-id', c.get('requestId'))
  })
  router.post('/v1/chat/completions', (c) => complete(c, 'openai'))
  router.post('/v1/messages', (c) => complete(c, 'anthropic'))
  router.get('/v1/models', async (c) => {
    const format = formatOf(c)
    try {
      const models = await listModels.execute(await authenticate(c, format))
      if (format === 'openai') return c.json({ object: 'list', data: models.map((m) => toOpenAiModel(m.name, m.config)) }, 200)
      const newestFirst = models.map((m) => toAnthropicModel(m.name, m.config)).reverse()
      return c.json(anthropicPage(newestFirst, c.req.query()), 200)
    } catch (err) {
      return relayErrorResponse(c, err, format)
    }
  })
  router.get('/v1/models/:model{.+}', async (c) => {
    const format = formatOf(c)
    try {
      const { name, config } = await listModels.find(await authenticate(c, format), c.req.param('model'))
      return c.json(format === 'openai' ? toOpenAiModel(name, config) : toAnthropicModel(name, config), 200)
    } catch (err) {
      return relayErrorResponse(c, err, format)
    }
  })
  embeddingsRoutes(kit, container)
  countTokensRoutes(kit, container)
  responsesRoutes(kit, container)
  router.all('/v1/*', (c) => relayErrorResponse(c, new NotFound(`Route ${c.req.method} ${redactPath(c.req.path)}`)))
  router.onError((err, c) => relayErrorResponse(c, err))
  return router
}
