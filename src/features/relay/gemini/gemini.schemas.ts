import { z, type OpenAPIHono } from '@hono/zod-openapi'

// Documentation only, like relay.schemas.ts: the shapes loosely, never used to parse requests.

const GeminiError = z
  .object({ error: z.object({ code: z.number().int(), message: z.string(), status: z.string(), details: z.array(z.looseObject({})).optional() }) })
  .openapi('GeminiError')
const GenerateContentRequest = z
  .looseObject({
    contents: z.array(z.looseObject({ role: z.enum(['user', 'model']).optional(), parts: z.array(z.looseObject({})) })),
    systemInstruction: z.looseObject({}).optional(),
    tools: z.array(z.looseObject({})).optional(),
    toolConfig: z.looseObject({}).optional(),
    generationConfig: z.looseObject({}).optional(),
  })
  .openapi('GenerateContentRequest', {
    description: 'Gemini generateContent request, translated for the model (any provider kind); a field with no equivalent is a 400 naming it.',
  })
const GeminiModel = z
  .object({
    name: z.string(), version: z.string(), displayName: z.string(), description: z.string(),
    inputTokenLimit: z.number(), outputTokenLimit: z.number(), supportedGenerationMethods: z.array(z.string()),
  })
  .openapi('GeminiModel')
const GeminiModelList = z.object({ models: z.array(GeminiModel), nextPageToken: z.string().optional() }).openapi('GeminiModelList')

const errors = Object.fromEntries(
  [400, 403, 404, 413, 429, 502, 503].map((s) => [s, { description: 'Error in Gemini\'s shape (an unknown key: 400 API_KEY_INVALID; none: 403)', content: { 'application/json': { schema: GeminiError } } }]),
)
const security: Array<Record<string, string[]>> = [{ geminiApiKey: [] }, { geminiKeyQuery: [] }]
const keyQuery = { key: z.string().optional().openapi({ description: 'The platform API key, when not sent as x-goog-api-key' }) }

/** Adds the /v1beta routes to the OpenAPI document. */
export function documentGemini(router: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  const registry = router.openAPIRegistry
  registry.registerComponent('securitySchemes', 'geminiApiKey', { type: 'apiKey', in: 'header', name: 'x-goog-api-key', description: 'A platform API key (sk-...)' })
  registry.registerComponent('securitySchemes', 'geminiKeyQuery', { type: 'apiKey', in: 'query', name: 'key', description: 'A platform API key (sk-...)' })
  registry.registerPath({
    method: 'post', path: '/v1beta/models/{target}', tags: ['relay'], security,
    summary: 'Gemini API for any model the key may use: {target} is `{model}:generateContent`, `{model}:streamGenerateContent` or `{model}:countTokens`',
    request: {
      params: z.object({ target: z.string().openapi({ example: 'gemini-relay:streamGenerateContent' }) }),
      query: z.object({ ...keyQuery, alt: z.enum(['sse']).optional().openapi({ description: 'streamGenerateContent: server-sent events; without it the stream is one JSON array' }) }),
      body: { content: { 'application/json': { schema: GenerateContentRequest } } },
    },
    responses: {
      200: {
        description: 'generateContent: a GenerateContentResponse; streamGenerateContent: GenerateContentResponse chunks (SSE with alt=sse, else a JSON array); countTokens: {totalTokens}',
        content: { 'application/json': { schema: z.looseObject({}) }, 'text/event-stream': { schema: z.string() } },
      },
      ...errors,
    },
  })
  registry.registerPath({
    method: 'get', path: '/v1beta/models', tags: ['relay'], security, summary: 'The models the key may use, as Gemini lists them (name `models/<relay name>`)',
    request: {
      query: z.object({
        ...keyQuery,
        pageSize: z.string().optional().openapi({ description: 'Page size, default 50, at most 1000' }),
        pageToken: z.string().optional().openapi({ description: 'nextPageToken of the previous page' }),
      }),
    },
    responses: { 200: { description: 'The list', content: { 'application/json': { schema: GeminiModelList } } }, ...errors },
  })
  registry.registerPath({
    method: 'get', path: '/v1beta/models/{model}', tags: ['relay'], security, summary: 'One model the key may use, by any name `model` accepts (with or without `models/`)',
    request: { params: z.object({ model: z.string().min(1) }), query: z.object(keyQuery) },
    responses: { 200: { description: 'The model', content: { 'application/json': { schema: GeminiModel } } }, ...errors },
  })
}
