import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { requireActor, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { sseResponse } from '../../shared/http/sse.ts'
import type { ChatEvent } from './chat-events.ts'
import {
  EditMessageSchema,
  ReplyOptionsSchema,
  ReplyResultSchema,
  SendMessageSchema,
  SSE_DESCRIPTION,
  StopResultSchema,
} from './chat.schemas.ts'
import { EditAndResend } from './edit-and-resend.use-case.ts'
import { RegenerateReply } from './regenerate-reply.use-case.ts'
import type { StartedReply } from './reply-starter.ts'
import { SendMessage } from './send-message.use-case.ts'
import { StopReply } from './stop-reply.use-case.ts'

const bearer = [{ bearerAuth: [] }]
const MessageId = z.object({ messageId: z.string().min(1).max(64) })
const json = <T>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } })
const sseOrJson = {
  200: {
    description: `${SSE_DESCRIPTION} With "stream": false (or on POST /api/chat), one JSON ReplyResult.`,
    content: { 'text/event-stream': { schema: z.string() }, 'application/json': { schema: ReplyResultSchema } },
  },
  ...errorResponses(400, 401, 404, 409, 429),
}

const stream = createRoute({
  method: 'post',
  path: '/api/chat/stream',
  tags: ['chat'],
  summary: 'Send a message; the reply streams back as server-sent events',
  security: bearer,
  middleware: [signedIn] as const,
  request: json(SendMessageSchema),
  responses: sseOrJson,
})
const complete = createRoute({
  method: 'post',
  path: '/api/chat',
  tags: ['chat'],
  summary: 'Send a message; the whole reply comes back as one JSON response',
  security: bearer,
  middleware: [signedIn] as const,
  request: json(SendMessageSchema),
  responses: sseOrJson,
})
const stop = createRoute({
  method: 'post',
  path: '/api/chat/{messageId}/stop',
  tags: ['chat'],
  summary: 'Stop a reply in progress (from any connection of yours)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: MessageId },
  responses: { 200: jsonContent(StopResultSchema, 'Whether a running reply was stopped'), ...errorResponses(401, 404) },
})
const regenerate = createRoute({
  method: 'post',
  path: '/api/chat/{messageId}/regenerate',
  tags: ['chat'],
  summary: 'A new reply to the last user message (pass the user message or one of its replies)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: MessageId, ...json(ReplyOptionsSchema, false) },
  responses: sseOrJson,
})
const edit = createRoute({
  method: 'post',
  path: '/api/chat/{messageId}/edit',
  tags: ['chat'],
  summary: 'Edit the last user message and stream a new reply (earlier replies to it are removed)',
  security: bearer,
  middleware: [signedIn] as const,
  request: { params: MessageId, ...json(EditMessageSchema) },
  responses: sseOrJson,
})

export function chatRoutes(container: DependencyContainer) {
  const sendMessage = container.resolve(SendMessage)
  const stopReply = container.resolve(StopReply)
  const regenerateReply = container.resolve(RegenerateReply)
  const editAndResend = container.resolve(EditAndResend)

  return createRouter()
    .openapi(stream, async (c) => {
      const { sessionId, content, params } = c.req.valid('json')
      return answer(c, true, (clientSignal) => sendMessage.execute({ actor: requireActor(c), sessionId, content, params, clientSignal }))
    })
    .openapi(complete, async (c) => {
      const { sessionId, content, params } = c.req.valid('json')
      return answer(c, false, (clientSignal) => sendMessage.execute({ actor: requireActor(c), sessionId, content, params, clientSignal }))
    })
    .openapi(stop, async (c) => c.json(await stopReply.execute({ actor: requireActor(c), messageId: c.req.valid('param').messageId }), 200))
    .openapi(regenerate, async (c) => {
      const { params, stream: asStream = true } = (c.req.valid('json') ?? {}) as { params?: object; stream?: boolean }
      const { messageId } = c.req.valid('param')
      return answer(c, asStream, (clientSignal) => regenerateReply.execute({ actor: requireActor(c), messageId, params, clientSignal }))
    })
    .openapi(edit, async (c) => {
      const { content, params, stream: asStream } = c.req.valid('json')
      const { messageId } = c.req.valid('param')
      return answer(c, asStream, (clientSignal) => editAndResend.execute({ actor: requireActor(c), messageId, content, params, clientSignal }))
    })
}

/**
 * Starts the reply (every check and both stored messages happen before a byte is sent, so failures
 * up to here are normal HTTP errors), then streams it as SSE or collects it into one JSON answer.
 */
async function answer(c: Context<AppEnv>, asStream: boolean, start: (clientSignal: AbortSignal) => Promise<StartedReply>): Promise<Response> {
  const client = new AbortController()
  const reply = await start(client.signal)
  const ids = { sessionId: reply.session.id, userMessageId: reply.userMessage.id, assistantMessageId: reply.assistantMessage.id }
  if (!asStream) {
    c.req.raw.signal.addEventListener('abort', () => client.abort(), { once: true })
    return c.json(await collect(reply.events, ids), 200)
  }
  return sseResponse(c, async (channel) => {
    channel.clientSignal.addEventListener('abort', () => client.abort(), { once: true })
    await channel.send('message', ids)
    for await (const event of reply.events) {
      const { type, ...data } = event
      if (type === 'done') await channel.comment(`overhead-ms=${event.overheadMs}`)
      await channel.send(type, type === 'usage' ? event.usage : data)
    }
  })
}

async function collect(events: AsyncIterable<ChatEvent>, ids: { sessionId: string; userMessageId: string; assistantMessageId: string }) {
  let content = ''
  let error: { code: string; message: string } | undefined
  for await (const event of events) {
    if (event.type === 'delta') content += event.text
    else if (event.type === 'error') error = { code: event.code, message: event.message }
    else if (event.type === 'done') {
      return { ...ids, content, status: event.status, finishReason: event.finishReason, usage: event.usage, ...(error ? { error } : {}) }
    }
  }
  throw new Error('the reply ended without a done event')
}
