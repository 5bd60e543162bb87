import type { TokenUsage } from '../providers/ai-provider.port.ts'

/** Usage objects of the two client dialects <-> TokenUsage (input includes cached, output includes reasoning). */

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const field = (v: unknown, key: string): unknown => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined)

export function openAiUsage(raw: unknown): TokenUsage {
  return {
    inputTokens: num(field(raw, 'prompt_tokens')),
    outputTokens: num(field(raw, 'completion_tokens')),
    cachedTokens: num(field(field(raw, 'prompt_tokens_details'), 'cached_tokens')) ?? num(field(raw, 'prompt_cache_hit_tokens')),
    reasoningTokens: num(field(field(raw, 'completion_tokens_details'), 'reasoning_tokens')),
  }
}

/** Anthropic's input_tokens excludes cache reads and writes; ours includes them. */
export function anthropicUsage(raw: unknown): TokenUsage {
  const input = num(field(raw, 'input_tokens'))
  const cacheRead = num(field(raw, 'cache_read_input_tokens'))
  const cacheWrite = num(field(raw, 'cache_creation_input_tokens'))
  return {
    inputTokens: input === undefined ? undefined : input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: num(field(raw, 'output_tokens')),
    cachedTokens: cacheRead,
  }
}

export function toOpenAiUsage(u: TokenUsage) {
  const prompt = u.inputTokens ?? 0
  const completion = u.outputTokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  }
}

export function toAnthropicUsage(u: TokenUsage) {
  const cached = u.cachedTokens ?? 0
  const written = u.cacheWriteTokens ?? 0
  return {
    input_tokens: Math.max(0, (u.inputTokens ?? 0) - cached - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    output_tokens: u.outputTokens ?? 0,
  }
}
