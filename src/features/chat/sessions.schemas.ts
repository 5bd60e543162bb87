import { z } from '@hono/zod-openapi'
import type { ChatSession } from './chat-session.ts'
import type { Message } from './message.ts'

export const TITLE_MAX = 200
export const SYSTEM_PROMPT_MAX = 20_000

const ModelConfigId = z.string().min(1).max(64).openapi({ description: 'A model configuration id (see GET /api/models)' })
const Title = z.string().trim().min(1).max(TITLE_MAX)
const SystemPrompt = z.string().max(SYSTEM_PROMPT_MAX)

export const SessionIdParam = z.object({ id: z.string().min(1).max(64) })

export const ListSessionsQuery = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  q: z.string().max(TITLE_MAX).optional().openapi({ description: 'Case-insensitive title search' }),
})
export const ListMessagesQuery = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})

export const CreateSessionBody = z
  .strictObject({
    modelId: ModelConfigId.optional(),
    title: Title.optional().openapi({ description: 'Defaults to "New chat"; derived from the first message later' }),
    systemPrompt: SystemPrompt.nullable().optional(),
  })
  .openapi('CreateSessionRequest')

export const UpdateSessionBody = z
  .strictObject({
    title: Title.optional(),
    modelId: ModelConfigId.nullable().optional().openapi({ description: 'null detaches the model' }),
    systemPrompt: SystemPrompt.nullable().optional().openapi({ description: 'null or blank removes it' }),
  })
  .openapi('UpdateSessionRequest')

export const SessionSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    modelId: z.string().nullable(),
    systemPrompt: z.string().nullable(),
    lastActivityAt: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('ChatSession')

export const SessionPageSchema = z
  .object({ items: z.array(SessionSchema), nextCursor: z.string().nullable() })
  .openapi('ChatSessionPage')

export const MessageSchema = z
  .object({
    id: z.string(),
    role: z.enum(['user', 'assistant']),
    content: z.string(),
    status: z.enum(['streaming', 'complete', 'aborted', 'error', 'interrupted']),
    parentId: z.string().nullable().openapi({ description: 'For a reply: the user message it answers (regenerated replies are siblings)' }),
    finishReason: z.string().nullable(),
    usage: z.object({
      inputTokens: z.number().int().nullable(),
      outputTokens: z.number().int().nullable(),
      cachedTokens: z.number().int().nullable(),
      reasoningTokens: z.number().int().nullable(),
      estimated: z.boolean(),
    }),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('ChatMessage')

export const MessagePageSchema = z
  .object({ items: z.array(MessageSchema), nextCursor: z.string().nullable() })
  .openapi('ChatMessagePage')

export type SessionView = z.infer<typeof SessionSchema>
export type MessageView = z.infer<typeof MessageSchema>

export const sessionView = (s: ChatSession): SessionView => ({
  id: s.id,
  title: s.title,
  modelId: s.modelConfigId,
  systemPrompt: s.systemPrompt,
  lastActivityAt: s.lastActivityAt.toISOString(),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
})

export const messageView = (m: Message): MessageView => ({
  id: m.id,
  role: m.role,
  content: m.content,
  status: m.status,
  parentId: m.parentId,
  finishReason: m.finishReason,
  usage: { ...m.usage },
  errorCode: m.errorCode,
  errorMessage: m.errorMessage,
  createdAt: m.createdAt.toISOString(),
})
