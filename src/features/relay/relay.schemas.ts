import { z, type OpenAPIHono } from '@hono/zod-openapi'

// Documentation only: the relay validates just what it needs and leaves the rest to the provider,
// so these schemas describe the shapes loosely and are never used to parse requests.

const OpenAiError = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .openapi('OpenAiError')
const AnthropicError = z
  .object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }), request_id: z.string().optional() })
  .openapi('AnthropicError')
const ChatCompletionRequest = z
  .looseObject({ model: z.string(), messages: z.array(z.looseObject({ role: z.string() })), stream: z.boolean().optional() })
  .openapi('ChatCompletionRequest', { description: 'OpenAI Chat Completions request; every other field goes to the provider as sent (same dialect) or is translated (text only).' })
const MessagesRequest = z
  .looseObject({ model: z.string(), max_tokens: z.number().int(), messages: z.array(z.looseObject({ role: z.string() })), stream: z.boolean().optional() })
  .openapi('MessagesRequest', { description: 'Anthropic Messages request.' })
const RelayModel = z
  .object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.enum(['system', 'personal']) })
  .openapi('RelayModel')
const ModelList = z.object({ object: z.literal('list'), data: z.array(RelayModel) }).openapi('RelayModelList')
const AnthropicModel = z
  .looseObject({ type: z.literal('model'), id: z.string(), display_name: z.string(), created_at: z.string(), max_input_tokens: z.number(), max_tokens: z.number() })
  .openapi('AnthropicModel')
const AnthropicModelList = z
  .object({ data: z.array(AnthropicModel), has_more: z.boolean(), first_id: z.string().nullable(), last_id: z.string().nullable() })
  .openapi('AnthropicModelList')
const formatHeaders = z.object({
  'anthropic-version': z.string().optional().openapi({ description: 'When present, the answer (and any error) is in the Anthropic format' }),
})
const eitherFormat = (openai: z.ZodType, anthropic: z.ZodType, what: string) => ({
  description: `${what}: OpenAI format, or Anthropic format when the request carries anthropic-version`,
  content: { 'application/json': { schema: z.union([openai, anthropic]) } },
})

const errors = (schema: z.ZodType) =>
  Object.fromEntries([400, 401, 404, 413, 429, 502, 503].map((s) => [s, { description: 'Error in the client dialect', content: { 'application/json': { schema } } }]))
const eitherErrors = () => errors(z.union([OpenAiError, AnthropicError]))
const security = [{ platformKey: [] }]
const sse = (json: string) => ({
  description: `${json} as JSON, or with "stream": true server-sent events in the same dialect (with ": overhead-ms=N" before the end)`,
  content: { 'application/json': { schema: z.looseObject({}) }, 'text/event-stream': { schema: z.string() } },
})

/** Adds the /v1 routes to the OpenAPI document. */
export function documentRelay(router: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  const registry = router.openAPIRegistry
  registry.registerComponent('securitySchemes', 'platformKey', { type: 'http', scheme: 'bearer', description: 'A platform API key (sk-...); x-api-key works too' })
  registry.registerPath({
    method: 'post', path: '/v1/chat/completions', tags: ['relay'], security, summary: 'OpenAI-compatible chat completions for any model the key may use',
    request: { body: { content: { 'application/json': { schema: ChatCompletionRequest } } } },
    responses: { 200: sse('chat.completion'), ...errors(OpenAiError) },
  })
  registry.registerPath({
    method: 'post', path: '/v1/messages', tags: ['relay'], security, summary: 'Anthropic-compatible Messages for any model the key may use',
    request: { body: { content: { 'application/json': { schema: MessagesRequest } } } },
    responses: { 200: sse('message'), ...errors(AnthropicError) },
  })
  registry.registerPath({
    method: 'get', path: '/v1/models', tags: ['relay'], security,
    summary: 'The models the key may use, by the name `model` accepts (alias, else the unique provider model id, else a slug of the display name)',
    request: {
      headers: formatHeaders,
      query: z.object({
        limit: z.string().optional().openapi({ description: 'Anthropic format: page size, 1-1000 (default 20)' }),
        after_id: z.string().optional().openapi({ description: 'Anthropic format: the page after this model' }),
        before_id: z.string().optional().openapi({ description: 'Anthropic format: the page before this model' }),
      }),
    },
    responses: { 200: eitherFormat(ModelList, AnthropicModelList, 'The list'), ...eitherErrors() },
  })
  registry.registerPath({
    method: 'get', path: '/v1/models/{model}', tags: ['relay'], security, summary: 'One model the key may use, by any name `model` accepts (404 otherwise)',
    request: { params: z.object({ model: z.string().min(1) }), headers: formatHeaders },
    responses: { 200: eitherFormat(RelayModel, AnthropicModel, 'The model'), ...eitherErrors() },
  })
}
