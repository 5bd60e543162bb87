import type { Actor } from '../../shared/actor.ts'
import { NotFound } from '../../shared/errors.ts'
import type { ChatSessionRepository } from './chat-session.repository.port.ts'
import type { ChatSession } from './chat-session.ts'
import { NotTheLastUserMessage } from './chat.errors.ts'
import type { MessageRepository } from './message.repository.port.ts'
import type { Message } from './message.ts'

/**
 * Finds the caller's message and the user message it belongs to (itself, or an assistant reply's
 * parent), which must be the last user message of its chat. Others' messages read as not found.
 */
export async function lastUserMessageOf(
  deps: { messages: MessageRepository; sessions: ChatSessionRepository },
  actor: Actor,
  messageId: string,
  action: string,
): Promise<{ session: ChatSession; userMessage: Message; all: Message[] }> {
  const message = await deps.messages.findById(messageId)
  const session = message && (await deps.sessions.findOwned(message.sessionId, actor.userId))
  if (!message || !session) throw new NotFound('Message')
  const all = await deps.messages.listAll(session.id)
  const userMessage = message.role === 'user' ? message : all.find((m) => m.id === message.parentId)
  const lastUser = all.filter((m) => m.role === 'user').at(-1)
  if (!userMessage || lastUser?.id !== userMessage.id) throw new NotTheLastUserMessage(action)
  return { session, userMessage, all }
}
