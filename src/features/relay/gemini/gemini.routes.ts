import type { Context } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import { resolve } from '../../../shared/di.ts'
import { Forbidden, NotFound } from '../../../shared/errors.ts'
import type { AppEnv } from '../../../shared/http/app-env.ts'
import { readJsonBody } from '../../../shared/http/body-limit.ts'
import { CLIENT_CLOSED_REQUEST, clientClosed, requestHeader } from '../../../shared/http/node-request.ts'
import { pushResponse } from '../../../shared/http/push-body.ts'
import { redactPath } from '../../../shared/http/redact-path.ts'
import { createRouter } from '../../../shared/http/router.ts'
import { onClientGone, SSE_HEADERS } from '../../../shared/http/sse.ts'
import { ApiKeyAuthenticator, type KeyPrincipal } from '../api-key-authenticator.port.ts'
import { tokenCountHeaders } from '../count-tokens.routes.ts'
import { CountRelayTokens } from '../count-relay-tokens.use-case.ts'
import { ListRelayModels } from '../list-relay-models.use-case.ts'
import { RelayCompletion } from '../relay-completion.use-case.ts'
import { RelayOptions } from '../relay-options.ts'
import { DEFAULT_RELAY_BODY_LIMIT, relayErrorResponse } from '../relay.routes.ts'
import { parseCountTokensCall, parseGeminiCall, parseModelMethod } from './gemini-call.ts'
import { geminiPage, toGeminiModel } from './gemini-models.ts'
import { documentGemini } from './gemini.schemas.ts'

export interface GeminiRoutesOptions {
  /** RELAY_BODY_LIMIT_BYTES, as for /v1. */
  bodyLimitBytes?: number
}

const MISSING_KEY =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."

const encoder = new TextEncoder()
const SSE_HEARTBEAT = encoder.encode(': keepalive\n\n')
// Whitespace is legal between the elements of the JSON array a stream without alt=sse is.
const ARRAY_HEARTBEAT = encoder.encode('\n')
const ARRAY_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }

const fail = (c: Context<AppEnv>, err: unknown) => relayErrorResponse(c, err, 'gemini')

/**
 * The Gemini API for programs (`@google/genai` with httpOptions.baseUrl at this server): generate,
 * stream and list models under a platform key sent as `x-goog-api-key` or `?key=`, from a model of
 * any provider kind. Errors in Gemini's shape.
 */
export function geminiRoutes(container: DependencyContainer, options: GeminiRoutesOptions = {}) {
  const { heartbeatMs } = resolve(container, RelayOptions)
  const keys = resolve(container, ApiKeyAuthenticator)
  const relay = container.resolve(RelayCompletion)
  const listModels = container.resolve(ListRelayModels)
  const counter = container.resolve(CountRelayTokens)
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_RELAY_BODY_LIMIT

  async function authenticate(c: Context<AppEnv>): Promise<KeyPrincipal> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(requestHeader(c, 'authorization') ?? '')?.[1]
    const secret = requestHeader(c, 'x-goog-api-key')?.trim() || c.req.query('key') || bearer
    if (!secret) throw new Forbidden(MISSING_KEY)
    const principal = await keys.authenticate(secret)
    c.set('actor', principal.actor)
    return principal
  }

  const readJson = (c: Context<AppEnv>) => readJsonBody(c, bodyLimit, 'Invalid JSON payload received. The request body is not valid JSON.')

  async function generate(c: Context<AppEnv>, principal: KeyPrincipal, model: string, stream: boolean): Promise<Response> {
    const client = new AbortController()
    try {
      const { json, chars } = await readJson(c)
      const sse = c.req.query('alt') === 'sse'
      const call = parseGeminiCall(json, chars, model, stream, sse ? 'sse' : 'json-array')
      onClientGone(c, () => client.abort())
      const outcome = await relay.execute({ principal, call, clientSignal: client.signal })
      if (outcome.kind === 'json') {
        return new Response(outcome.body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'x-overhead-ms': String(outcome.overheadMs) } })
      }
      const [headers, heartbeat] = sse ? [SSE_HEADERS, SSE_HEARTBEAT] : [ARRAY_HEADERS, ARRAY_HEARTBEAT]
      return pushResponse(c, outcome.pipe, { status: 200, headers }, { heartbeat, heartbeatMs, onCancel: () => client.abort() })
    } catch (err) {
      if (client.signal.aborted || clientClosed(c)) return new Response(null, { status: CLIENT_CLOSED_REQUEST })
      return fail(c, err)
    }
  }

  async function countTokens(c: Context<AppEnv>, principal: KeyPrincipal, model: string): Promise<Response> {
    const { json, chars } = await readJson(c)
    const count = await counter.execute(principal, parseCountTokensCall(json, chars, model))
    return c.json({ totalTokens: count.inputTokens, estimated: count.estimated }, 200, tokenCountHeaders(count))
  }

  const router = createRouter()
  documentGemini(router)
  router.post('/v1beta/models/:target{.+}', async (c) => {
    try {
      const principal = await authenticate(c)
      const target = parseModelMethod(c.req.param('target'))
      if (target?.method === 'generateContent') return await generate(c, principal, target.model, false)
      if (target?.method === 'streamGenerateContent') return await generate(c, principal, target.model, true)
      if (target?.method === 'countTokens') return await countTokens(c, principal, target.model)
      throw new NotFound(`Method POST ${redactPath(c.req.path)}`)
    } catch (err) {
      return fail(c, err)
    }
  })
  router.get('/v1beta/models', async (c) => {
    try {
      const models = await listModels.execute(await authenticate(c))
      return c.json(geminiPage(models.map(toGeminiModel), c.req.query()), 200)
    } catch (err) {
      return fail(c, err)
    }
  })
  router.get('/v1beta/models/:model{.+}', async (c) => {
    try {
      const found = await listModels.find(await authenticate(c), c.req.param('model').replace(/^models\//, ''))
      return c.json(toGeminiModel(found), 200)
    } catch (err) {
      return fail(c, err)
    }
  })
  router.all('/v1beta/*', (c) => fail(c, new NotFound(`Route ${c.req.method} ${redactPath(c.req.path)}`)))
  router.onError((err, c) => fail(c, err))
  return router
}
