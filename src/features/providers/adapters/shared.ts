import type { ChatTurn, CompletionRequest, ProviderKind } from '../ai-provider.port.ts'
import { partsOf } from '../content-parts.ts'
import { protocolError } from './provider-errors.ts'

export { partsOf }

const isEmpty = (turn: ChatTurn): boolean => (turn.parts ? turn.parts.length === 0 : turn.content.trim() === '')

/**
 * Drops empty turns, joins consecutive same-role turns so roles alternate, and drops leading
 * assistant turns (a truncated history may start with a reply; Anthropic and Gemini want the user first).
 * Text-only turns join as text; a turn with parts joins by appending the parts.
 */
export function alternatingTurns(messages: readonly ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = []
  for (const turn of messages) {
    if (isEmpty(turn)) continue
    const last = out.at(-1)
    if (last && last.role === turn.role) {
      if (last.parts || turn.parts) last.parts = [...partsOf(last), ...partsOf(turn)]
      last.content = `${last.content}\n\n${turn.content}`
    } else if (last || turn.role === 'user') out.push({ ...turn, ...(turn.parts ? { parts: [...turn.parts] } : {}) })
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
