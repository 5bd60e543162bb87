import { z } from '@hono/zod-openapi'

export const GenerationParamsSchema = z
  .strictObject({
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().min(0).max(1).optional(),
    stop: z.array(z.string().min(1).max(100)).max(4).optional(),
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  })
  .openapi('GenerationParams')

// The per-message size limit is a system setting (maxMessageChars), enforced by the use case.
const content = z.string().max(2_000_000).refine((s) => s.trim().length > 0, 'must not be empty')

export const SendMessageSchema = z
  .strictObject({ sessionId: z.string().min(1).max(64), content, params: GenerationParamsSchema.optional() })
  .openapi('SendMessageRequest')

export const ReplyOptionsSchema = z
  .strictObject({ params: GenerationParamsSchema.optional(), stream: z.boolean().default(true) })
  .openapi('ReplyOptions')

export const EditMessageSchema = z
  .strictObject({ content, params: GenerationParamsSchema.optional(), stream: z.boolean().default(true) })
  .openapi('EditMessageRequest')

const Usage = z.object({
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  cachedTokens: z.number().nullable(),
  reasoningTokens: z.number().nullable(),
  estimated: z.boolean(),
})

export const ReplyResultSchema = z
  .object({
    sessionId: z.string(),
    userMessageId: z.string(),
    assistantMessageId: z.string(),
    content: z.string(),
    status: z.enum(['complete', 'aborted', 'error', 'interrupted']),
    finishReason: z.string().nullable(),
    usage: Usage,
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('ReplyResult')

export const StopResultSchema = z
  .object({ stopped: z.boolean(), status: z.enum(['streaming', 'complete', 'aborted', 'error', 'interrupted']) })
  .openapi('StopResult')

export const SSE_DESCRIPTION =
  'Server-sent events, each with an `id:` (`<messageId>:<seq>:<chars>`, send it back as Last-Event-ID to resume with GET /api/chat/{messageId}/stream): ' +
  '`message` {sessionId, userMessageId, assistantMessageId}, then `delta` {text}..., ' +
  'then `usage` or `error` {code, message, retryAfter?}, then `done` {messageId, status, finishReason, usage, overheadMs}. ' +
  'A provider failure before the first token is answered with its HTTP status instead (429 with retry-after, 502, 503, 400). ' +
  'A `: keepalive` comment is sent whenever nothing else was for 15 s.'
