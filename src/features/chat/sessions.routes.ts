import { createRoute } from '@hono/zod-openapi'
import type { DependencyContainer } from 'tsyringe'
import { requireActor, signedIn } from '../../shared/http/auth-guard.ts'
import { errorResponses, jsonContent } from '../../shared/http/openapi-schemas.ts'
import { createRouter } from '../../shared/http/router.ts'
import { CreateSession } from './create-session.use-case.ts'
import { DeleteSession } from './delete-session.use-case.ts'
import { GetSession } from './get-session.use-case.ts'
import { ListMessages } from './list-messages.use-case.ts'
import { ListSessions } from './list-sessions.use-case.ts'
import {
  CreateSessionBody,
  ListMessagesQuery,
  ListSessionsQuery,
  MessagePageSchema,
  SessionIdParam,
  SessionPageSchema,
  SessionSchema,
  UpdateSessionBody,
  messageView,
  sessionView,
} from './sessions.schemas.ts'
import { UpdateSession } from './update-session.use-case.ts'

const common = { tags: ['chat'], security: [{ bearerAuth: [] }] }
const jsonBody = <T>(schema: T) => ({ content: { 'application/json': { schema } }, required: true })

const list = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'get',
  path: '/api/sessions',
  summary: 'Your chat sessions, newest activity first',
  request: { query: ListSessionsQuery },
  responses: { 200: jsonContent(SessionPageSchema, 'A page of sessions'), ...errorResponses(400, 401) },
})
const create = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'post',
  path: '/api/sessions',
  summary: 'Start a chat session',
  request: { body: jsonBody(CreateSessionBody) },
  responses: { 201: jsonContent(SessionSchema, 'Created'), ...errorResponses(400, 401, 404) },
})
const get = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'get',
  path: '/api/sessions/{id}',
  summary: 'One of your chat sessions',
  request: { params: SessionIdParam },
  responses: { 200: jsonContent(SessionSchema, 'The session'), ...errorResponses(401, 404) },
})
const update = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'patch',
  path: '/api/sessions/{id}',
  summary: 'Rename a session, change its model or system prompt',
  request: { params: SessionIdParam, body: jsonBody(UpdateSessionBody) },
  responses: { 200: jsonContent(SessionSchema, 'Updated'), ...errorResponses(400, 401, 404) },
})
const remove = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'delete',
  path: '/api/sessions/{id}',
  summary: 'Delete a session and all its messages',
  request: { params: SessionIdParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
})
const messages = createRoute({
  ...common,
  middleware: [signedIn] as const,
  method: 'get',
  path: '/api/sessions/{id}/messages',
  summary: "A session's messages, oldest first",
  request: { params: SessionIdParam, query: ListMessagesQuery },
  responses: { 200: jsonContent(MessagePageSchema, 'A page of messages'), ...errorResponses(400, 401, 404) },
})

export function sessionsRoutes(container: DependencyContainer) {
  const listSessions = container.resolve(ListSessions)
  const createSession = container.resolve(CreateSession)
  const getSession = container.resolve(GetSession)
  const updateSession = container.resolve(UpdateSession)
  const deleteSession = container.resolve(DeleteSession)
  const listMessages = container.resolve(ListMessages)

  return createRouter()
    .openapi(list, async (c) => {
      const page = await listSessions.execute({ actor: requireActor(c), ...c.req.valid('query') })
      return c.json({ items: page.items.map(sessionView), nextCursor: page.nextCursor }, 200)
    })
    .openapi(create, async (c) => {
      const session = await createSession.execute({ actor: requireActor(c), ...c.req.valid('json') })
      return c.json(sessionView(session), 201)
    })
    .openapi(get, async (c) => {
      const session = await getSession.execute({ actor: requireActor(c), sessionId: c.req.valid('param').id })
      return c.json(sessionView(session), 200)
    })
    .openapi(update, async (c) => {
      const session = await updateSession.execute({ actor: requireActor(c), sessionId: c.req.valid('param').id, ...c.req.valid('json') })
      return c.json(sessionView(session), 200)
    })
    .openapi(remove, async (c) => {
      await deleteSession.execute({ actor: requireActor(c), sessionId: c.req.valid('param').id })
      return c.body(null, 204)
    })
    .openapi(messages, async (c) => {
      const page = await listMessages.execute({ actor: requireActor(c), sessionId: c.req.valid('param').id, ...c.req.valid('query') })
      return c.json({ items: page.items.map(messageView), nextCursor: page.nextCursor }, 200)
    })
}
