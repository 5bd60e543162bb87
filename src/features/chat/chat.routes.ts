import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { DependencyContainer } from 'tsyringe'
import type { AppEnv } from '../../shared/http/app-env.ts'
import { requireActor, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { AppError, type ErrorCode } from '../../shared/errors.ts'
import { onClientGone, sseResponse, type SseChannel } from '../../shared/http/sse.ts'
import type { ReplyEvent } from './chat-events.ts'
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
import { eventIdOf, START, type FeedEntry } from './reply-run.ts'
import { ReplyRuns } from './reply-runs.ts'
import type { StartedReply } from './reply-starter.ts'
import { ResumeReply } from './resume-reply.use-case.ts'
import { SendMessage } from './send-message.use-case.ts'
import { StopReply } from './stop-reply.use-case.ts'

/**
 * How long the response head waits for the provider's first token: a failure before it gets its
 * real HTTP status. Past it the stream opens (so heartbeats can flow) and a failure is an event.
 */
export const HEAD_WAIT_MS = 15_000

const bearer = [{ bearerAuth: [] }]
const MessageId = z.object({ messageId: z.string().min(1).max(64) })
const json = <T>(schema: T, required = true) => ({ body: { content: { 'application/json': { schema } }, required } })
const sseOrJson = {
  200: {
    description: `${SSE_DESCRIPTION} With "stream": false (or on POST /api/chat), one JSON ReplyResult.`,
    content: { 'text/event-stream': { schema: z.string() }, 'application/json': { schema: ReplyResultSchema } },
  },
  ...errorResponses(400, 401, 404, 409, 429, 502, 503, 504),
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
const resume = createRoute({
  method: 'get',
  path: '/api/chat/{messageId}/stream',
  tags: ['chat'],
  summary: 'Follow a reply: the rest of it after Last-Event-ID (or ?after=), live while it streams, else the stored message',
  security: bearer,
  middleware: [signedIn] as const,
  request: {
    params: MessageId,
    query: z.object({ after: z.string().max(200).optional().openapi({ description: 'The id of the last event you have (as Last-Event-ID)' }) }),
    headers: z.object({ 'last-event-id': z.string().max(200).optional() }),
  },
  responses: {
    200: { description: `${SSE_DESCRIPTION} Only the events after the given one.`, content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses(400, 401, 404),
  },
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
  const resumeReply = container.resolve(ResumeReply)
  const runs = container.resolve(ReplyRuns)
  const answer = (c: Context<AppEnv>, asStream: boolean, start: (abandoned: AbortSignal) => Promise<StartedReply>) => answerWith(runs, c, asStream, start)

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
    .openapi(resume, async (c) => {
      const { messageId } = c.req.valid('param')
      const after = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').after
      const client = new AbortController()
      onClientGone(c, () => client.abort())
      const entries = await resumeReply.execute({ actor: requireActor(c), messageId, after, signal: client.signal })
      return sseResponse(c, async (channel) => {
        channel.clientSignal.addEventListener('abort', () => client.abort(), { once: true })
        for await (const batch of entries) await sendAll(channel, messageId, batch)
      })
    })
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
 * up to here are normal HTTP errors) and follows it. The head waits for the first token: a provider
 * failure before it is answered with its own status (429 with retry-after, 502, 503, 400). Then
 * the reply streams as SSE or is collected into one JSON answer. The reply runs on its own: a
 * client that goes away leaves it to finish for CHAT_RESUME_GRACE_S (see ReplyRuns).
 */
async function answerWith(runs: ReplyRuns, c: Context<AppEnv>, asStream: boolean, start: (abandoned: AbortSignal) => Promise<StartedReply>): Promise<Response> {
  const { run, reply } = await runs.begin(start)
  const client = new AbortController()
  onClientGone(c, () => client.abort())
  const feed = run.follow(START, client.signal)
  const head = await holdHead(feed)
  const early = head.entries.find((e) => e.event.type === 'error' || e.event.type === 'delta')
  if (early?.event.type === 'error') {
    // Let the reply finish (it is stored as failed) so that a retry is not refused as "still streaming".
    for (let next = head.pending; !(await next).done; next = feed.next());
    const { code, message, retryAfter } = early.event
    throw new AppError(code as ErrorCode, message, undefined, retryAfter)
  }
  if (!asStream) return c.json(await collect(head, feed, reply), 200)
  return sseResponse(c, async (channel) => {
    channel.clientSignal.addEventListener('abort', () => client.abort(), { once: true })
    const messageId = reply.assistantMessage.id
    await sendAll(channel, messageId, head.entries)
    for (let next = await head.pending; !next.done; next = await feed.next()) await sendAll(channel, messageId, next.value)
  })
}

interface Head {
  /** What arrived before the head goes out. */
  entries: FeedEntry[]
  /** The follower's next batch, already asked for. */
  pending: Promise<IteratorResult<FeedEntry[]>>
}

/** Reads the feed until its first event after `message` (or the end), for at most HEAD_WAIT_MS. */
async function holdHead(feed: AsyncGenerator<FeedEntry[]>): Promise<Head> {
  const entries: FeedEntry[] = []
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), HEAD_WAIT_MS)))
  let pending = feed.next()
  try {
    for (;;) {
      const next = await Promise.race([pending, waited])
      if (next === 'waited' || next.done) return { entries, pending }
      entries.push(...next.value)
      pending = feed.next()
      if (entries.some((e) => e.event.type !== 'message')) return { entries, pending }
    }
  } finally {
    clearTimeout(timer)
  }
}

async function sendAll(channel: SseChannel, messageId: string, entries: FeedEntry[]): Promise<void> {
  for (const entry of entries) {
    const { type, ...data } = entry.event as ReplyEvent
    const id = eventIdOf(messageId, entry)
    if (entry.event.type === 'done') await channel.comment(`overhead-ms=${entry.event.overheadMs}`)
    await channel.send(type, entry.event.type === 'usage' ? entry.event.usage : data, id)
  }
}

async function collect(head: Head, feed: AsyncGenerator<FeedEntry[]>, reply: StartedReply) {
  const ids = { sessionId: reply.session.id, userMessageId: reply.userMessage.id, assistantMessageId: reply.assistantMessage.id }
  let content = ''
  let error: { code: string; message: string } | undefined
  const entries = [...head.entries]
  for (let next = await head.pending; !next.done; next = await feed.next()) entries.push(...next.value)
  for (const { event } of entries) {
    if (event.type === 'delta') content += event.text
    else if (event.type === 'error') error = { code: event.code, message: event.message }
    else if (event.type === 'done') {
      return { ...ids, content, status: event.status, finishReason: event.finishReason, usage: event.usage, ...(error ? { error } : {}) }
    }
  }
  // The client left (nobody reads this), or the reply's stream broke off.
  throw new AppError('SERVICE_UNAVAILABLE', 'The reply did not end while this request waited for it')
}
