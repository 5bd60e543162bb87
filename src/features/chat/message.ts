export type MessageRole = 'user' | 'assistant'
/** `interrupted`: the process died while streaming (found and finalized at the next start). */
export type MessageStatus = 'streaming' | 'complete' | 'aborted' | 'error' | 'interrupted'
export const FINAL_STATUSES: readonly MessageStatus[] = ['complete', 'aborted', 'error', 'interrupted']

export interface MessageUsage {
  inputTokens: number | null
  outputTokens: number | null
  cachedTokens: number | null
  reasoningTokens: number | null
  /** True when the counts are our tiktoken estimate rather than the provider's report. */
  estimated: boolean
}

export interface Message {
  id: string
  sessionId: string
  /** For an assistant reply: the user message it answers (regenerated replies are siblings). */
  parentId: string | null
  role: MessageRole
  content: string
  status: MessageStatus
  modelConfigId: string | null
  finishReason: string | null
  /** This message's own prompt-token count (with per-message overhead), cached for truncation. */
  tokenCount: number | null
  usage: MessageUsage
  errorCode: string | null
  errorMessage: string | null
  createdAt: Date
  updatedAt: Date
}

export interface NewMessage {
  id: string
  sessionId: string
  parentId: string | null
  role: MessageRole
  content: string
  status: MessageStatus
  modelConfigId: string | null
  tokenCount: number | null
  /** A reply's prompt estimate, stored from the start so that usage survives a crash. */
  promptTokens?: number
}

export interface MessageFinal {
  status: Exclude<MessageStatus, 'streaming'>
  content: string
  finishReason: string | null
  usage: MessageUsage
  tokenCount: number | null
  errorCode: string | null
  errorMessage: string | null
}

export const NO_USAGE: MessageUsage = { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, estimated: false }
