import { ListMessages } from '../features/chat/list-messages.use-case.ts'
import { ListSessions } from '../features/chat/list-sessions.use-case.ts'
import type { Actor } from '../shared/actor.ts'
import type { CliContext } from './cli-context.ts'
import { findUser } from './user-commands.ts'

const PAGE = 100

/**
 * Every session of a user with all its messages, through the same use cases as GET /api/sessions and
 * GET /api/sessions/{id}/messages, called as that user (so it sees exactly what they see).
 */
export async function exportConversations(ctx: CliContext, username: string) {
  const user = await findUser(ctx, username)
  const owner: Actor = { userId: user.id, username: user.username, role: user.role }
  const listSessions = ctx.container.resolve(ListSessions)
  const listMessages = ctx.container.resolve(ListMessages)
  const sessions = []
  let cursor: string | undefined
  do {
    const page = await listSessions.execute({ actor: owner, cursor, limit: PAGE })
    for (const session of page.items) {
      const messages = []
      let messageCursor: string | undefined
      do {
        const batch = await listMessages.execute({ actor: owner, sessionId: session.id, cursor: messageCursor, limit: PAGE })
        messages.push(...batch.items)
        messageCursor = batch.nextCursor ?? undefined
      } while (messageCursor)
      sessions.push({ ...session, messages })
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return {
    format: 'chatbase.conversations.v1',
    exportedAt: new Date().toISOString(),
    user: { id: user.id, username: user.username },
    sessions,
  }
}
