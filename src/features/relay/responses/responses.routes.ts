import { z } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { pushResponse } from '../../../shared/http/push-body.ts'
import { onClientGone, SSE_HEADERS } from '../../../shared/http/sse.ts'
import type { RelayRouteKit } from '../relay-kit.routes.ts'
import { parseResponsesCall } from './responses-request.ts'
import { RelayResponses } from './relay-responses.use-case.ts'

const OpenAiError = z.object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
const ResponsesRequest = z
  .looseObject({
    model: z.string(),
    input: z.union([z.string(), z.array(z.looseObject({}))]),
    instructions: z.string().optional(),
    stream: z.boolean().optional(),
    max_output_tokens: z.number().int().optional(),
    temperature: z.number().optional(),
    top_p: z.number().optional(),
    tools: z.array(z.looseObject({ type: z.literal('function'), name: z.string() })).optional(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), name: z.string() })]).optional(),
    parallel_tool_calls: z.boolean().optional(),
    text: z.object({ format: z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']) }) }).optional(),
  })
  .openapi('ResponsesRequest', {
    description:
      'OpenAI Responses request: input as a string or message / function_call / function_call_output items, function tools; ' +
      'any field the relay cannot honour (previous_response_id, store: true, reasoning, built-in tools...) is a 400 naming it.',
  })
const ResponseObject = z.looseObject({ id: z.string(), object: z.literal('response'), status: z.string(), model: z.string(), output: z.array(z.looseObject({ type: z.string() })) }).openapi('Response')

const heartbeat = new TextEncoder().encode(': keepalive\n\n')

/** POST /v1/responses: OpenAI's Responses API for every model kind, through the provider layer. */
export function responsesRoutes(kit: RelayRouteKit, container: DependencyContainer): void {
  const responses = container.resolve(RelayResponses)
  const { router } = kit
  router.openAPIRegistry.registerPath({
    method: 'post', path: '/v1/responses', tags: ['relay'], security: [{ platformKey: [] }],
    summary: 'OpenAI-compatible Responses API (text and function tools) for any model the key may use',
    request: { body: { content: { 'application/json': { schema: ResponsesRequest } } } },
    responses: {
      200: {
        description: 'The Response object, or with "stream": true its typed server-sent events (response.created ... response.completed, each with sequence_number)',
        content: { 'application/json': { schema: ResponseObject }, 'text/event-stream': { schema: z.string() } },
      },
      ...Object.fromEntries([400, 401, 404, 413, 429, 502, 503].map((s) => [s, { description: 'Error in the OpenAI shape', content: { 'application/json': { schema: OpenAiError } } }])),
    },
  })
  router.post('/v1/responses', (c) =>
    kit.answer(c, 'openai', async (client) => {
      const principal = await kit.authenticate(c, 'openai')
      const { json, chars } = await kit.readJson(c)
      const call = parseResponsesCall(json, chars)
      onClientGone(c, () => client.abort())
      const outcome = await responses.execute({ principal, call, clientSignal: client.signal })
      if (outcome.kind === 'json') {
        return new Response(outcome.body, { status: 200, headers: { 'content-type': 'application/json', 'x-overhead-ms': String(outcome.overheadMs) } })
      }
      return pushResponse(c, outcome.pipe, { status: 200, headers: SSE_HEADERS }, { heartbeat, heartbeatMs: kit.heartbeatMs, onCancel: () => client.abort() })
    }),
  )
}
