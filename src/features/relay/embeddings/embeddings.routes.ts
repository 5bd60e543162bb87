import { z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { onClientGone } from '../../../shared/http/sse.ts'
import type { RelayRouteKit } from '../relay-kit.routes.ts'
import { parseEmbeddingsCall } from './embeddings-call.ts'
import { RelayEmbeddings } from './relay-embeddings.use-case.ts'

const OpenAiError = z.object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
const EmbeddingsRequest = z
  .object({
    model: z.string(),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().optional(),
  })
  .openapi('EmbeddingsRequest', { description: 'OpenAI embeddings request; any other field is a 400 naming it. Gemini models: text only, at most 100 inputs.' })
const EmbeddingList = z
  .object({
    object: z.literal('list'),
    data: z.array(z.object({ object: z.literal('embedding'), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi('EmbeddingList')

/** POST /v1/embeddings: OpenAI's embeddings API for OpenAI-compatible and Gemini models. */
export function embeddingsRoutes(kit: RelayRouteKit, container: DependencyContainer): void {
  const embeddings = container.resolve(RelayEmbeddings)
  const { router } = kit
  router.openAPIRegistry.registerPath({
    method: 'post', path: '/v1/embeddings', tags: ['relay'], security: [{ platformKey: [] }],
    summary: 'OpenAI-compatible embeddings for any model the key may use whose upstream offers them (OpenAI-compatible, Gemini)',
    request: { body: { content: { 'application/json': { schema: EmbeddingsRequest } } } },
    responses: {
      200: { description: 'The embeddings, floats or base64 float32 (encoding_format)', content: { 'application/json': { schema: EmbeddingList } } },
      ...Object.fromEntries([400, 401, 404, 413, 429, 502, 503].map((s) => [s, { description: 'Error in the OpenAI shape', content: { 'application/json': { schema: OpenAiError } } }])),
    },
  })
  router.post('/v1/embeddings', (c) =>
    kit.answer(c, 'openai', async (client) => {
      const principal = await kit.authenticate(c, 'openai')
      const { json, chars } = await kit.readJson(c)
      const call = parseEmbeddingsCall(json, chars)
      onClientGone(c, () => client.abort())
      const { body, overheadMs } = await embeddings.execute({ principal, call, clientSignal: client.signal })
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json', 'x-overhead-ms': String(overheadMs) } })
    }),
  )
}
