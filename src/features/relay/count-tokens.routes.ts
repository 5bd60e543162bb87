import { z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { ValidationFailed } from '../../shared/errors.ts'
import { CountRelayTokens, type TokenCount } from './count-relay-tokens.use-case.ts'
import type { RelayCall } from './relay-call.ts'
import type { RelayRouteKit } from './relay-kit.routes.ts'

/** Says how a count was made: `exact` (the provider counted) or `estimate` (tiktoken). */
export const TOKEN_COUNT_HEADER = 'x-token-count'
export const tokenCountHeaders = (count: TokenCount) => ({ [TOKEN_COUNT_HEADER]: count.estimated ? 'estimate' : 'exact' })

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A count_tokens body: Messages without max_tokens (the other fields are translated or sent as they are). */
export function parseCountTokensCall(body: unknown, chars: number): RelayCall {
  if (!isRecord(body)) throw new ValidationFailed('The request body must be a JSON object', { param: null })
  if (typeof body.model !== 'string' || body.model === '') throw new ValidationFailed('model: Field required', { param: 'model' })
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new ValidationFailed('messages: Field required', { param: 'messages' })
  return { dialect: 'anthropic', body, bodyChars: chars, model: body.model, stream: false, includeUsage: false }
}

const AnthropicError = z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) })
const CountTokensRequest = z
  .looseObject({ model: z.string(), messages: z.array(z.looseObject({ role: z.string() })), system: z.unknown().optional(), tools: z.array(z.looseObject({})).optional() })
  .openapi('CountTokensRequest', { description: 'Anthropic count_tokens request (a Messages request without max_tokens)' })
const CountTokensResponse = z
  .object({ input_tokens: z.number().int(), estimated: z.boolean().openapi({ description: 'true: a tiktoken estimate (the provider cannot count); false: the provider counted' }) })
  .openapi('CountTokensResponse')

/** POST /v1/messages/count_tokens: Anthropic's token counting for any model the key may use. */
export function countTokensRoutes(kit: RelayRouteKit, container: DependencyContainer): void {
  const counter = container.resolve(CountRelayTokens)
  const { router } = kit
  router.openAPIRegistry.registerPath({
    method: 'post', path: '/v1/messages/count_tokens', tags: ['relay'], security: [{ platformKey: [] }],
    summary: 'Anthropic-compatible token counting: exact through Anthropic and Gemini models, a tiktoken estimate for OpenAI-compatible ones',
    request: { body: { content: { 'application/json': { schema: CountTokensRequest } } } },
    responses: {
      200: {
        description: `The input tokens; the ${TOKEN_COUNT_HEADER} header says exact or estimate`,
        headers: { [TOKEN_COUNT_HEADER]: { schema: { type: 'string', enum: ['exact', 'estimate'] } } },
        content: { 'application/json': { schema: CountTokensResponse } },
      },
      ...Object.fromEntries([400, 401, 404, 413, 429, 502, 503].map((s) => [s, { description: 'Error in the Anthropic shape', content: { 'application/json': { schema: AnthropicError } } }])),
    },
  })
  router.post('/v1/messages/count_tokens', (c) =>
    kit.answer(c, 'anthropic', async (client) => {
      const principal = await kit.authenticate(c, 'anthropic')
      const { json, chars } = await kit.readJson(c)
      const count = await counter.execute(principal, parseCountTokensCall(json, chars), client.signal)
      return c.json({ input_tokens: count.inputTokens, estimated: count.estimated }, 200, tokenCountHeaders(count))
    }),
  )
}
