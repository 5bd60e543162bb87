import type { ChatTurn, CompletionRequest, ProviderKind } from '../ai-provider.port.ts'
import { protocolError } from './provider-errors.ts'

/**
 * Drops empty turns, joins consecutive same-role turns so roles alternate, and drops leading
 * assistant turns (a truncated history may start with a reply; Anthropic and Gemini want the user first).
 */
export function alternatingTurns(messages: readonly ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = []
  for (const turn of messages) {
    if (turn.content.trim() === '') continue
    const last = out.at(-1)
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.content}`
    else if (last || turn.role === 'user') out.push({ role: turn.role, content: turn.content })
  }
  return out
}

export function outputBudget(request: CompletionRequest): number {
  const preferred = request.params?.maxOutputTokens
  return preferred === undefined ? request.maxOutputTokens : Math.min(preferred, request.maxOutputTokens)
}

export function parseEventJson(kind: ProviderKind, data: string): unknown {
  try {
    return JSON.parse(data)
  } catch {
    throw protocolError(kind, `malformed event data: ${data.slice(0, 200)}`, false)
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)

export const trimSlash = (url: string): string => url.replace(/\/+$/, '')
