export interface ChatSession {
  id: string
  ownerId: string
  modelConfigId: string | null
  title: string
  systemPrompt: string | null
  lastActivityAt: Date
  createdAt: Date
  updatedAt: Date
}

export interface NewChatSession {
  id: string
  ownerId: string
  modelConfigId: string | null
  title: string
  systemPrompt: string | null
}

export interface ChatSessionChanges {
  title?: string
  modelConfigId?: string | null
  systemPrompt?: string | null
}

export const UNTITLED = 'New chat'
const TITLE_MAX_CHARS = 60

/** A title from the first message, without a model call: its first line, trimmed to a word boundary. */
export function deriveTitle(content: string): string {
  const firstLine = content.trim().split(/\r?\n/).find((line) => line.trim()) ?? ''
  const collapsed = firstLine.replace(/\s+/g, ' ').trim()
  if (!collapsed) return UNTITLED
  const chars = [...collapsed]
  if (chars.length <= TITLE_MAX_CHARS) return collapsed
  const cut = chars.slice(0, TITLE_MAX_CHARS).join('')
  const lastSpace = cut.lastIndexOf(' ')
  return `${lastSpace > TITLE_MAX_CHARS / 2 ? cut.slice(0, lastSpace) : cut}…`
}
