import type { ProviderKind } from './ai-provider.port.ts'

/** Pure data: default endpoints and the public limits of well-known models. */

export const DEFAULT_BASE_URLS: Record<ProviderKind, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
}

/** Where Gemini OAuth (Gemini CLI) accounts send their calls: Google's Code Assist API. */
export const CODE_ASSIST_BASE_URL = 'https://cloudcode-pa.googleapis.com'

export const defaultBaseUrl = (kind: ProviderKind): string => DEFAULT_BASE_URLS[kind]

export interface KnownModel {
  id: string
  provider: ProviderKind
  /** Only for OpenAI-compatible vendors whose endpoint differs from the kind's default. */
  baseUrl?: string
  contextWindow: number
  maxOutputTokens: number
}

const model = (provider: ProviderKind, id: string, contextWindow: number, maxOutputTokens: number, baseUrl?: string): KnownModel => ({
  id, provider, contextWindow, maxOutputTokens, ...(baseUrl ? { baseUrl } : {}),
})

// Figures from the vendors' public model pages (context window = input + output where they share it).
export const KNOWN_MODELS: readonly KnownModel[] = [
  model('openai', 'gpt-4o', 128_000, 16_384),
  model('openai', 'gpt-4o-mini', 128_000, 16_384),
  model('openai', 'gpt-4.1', 1_047_576, 32_768),
  model('openai', 'gpt-4.1-mini', 1_047_576, 32_768),
  model('openai', 'gpt-4.1-nano', 1_047_576, 32_768),
  model('openai', 'o3', 200_000, 100_000),
  model('openai', 'o3-mini', 200_000, 100_000),
  model('openai', 'o4-mini', 200_000, 100_000),
  model('openai', 'gpt-5', 400_000, 128_000),
  model('openai', 'gpt-5-mini', 400_000, 128_000),
  model('anthropic', 'claude-opus-4', 200_000, 32_000),
  model('anthropic', 'claude-opus-4-1', 200_000, 32_000),
  model('anthropic', 'claude-sonnet-4', 200_000, 64_000),
  model('anthropic', 'claude-sonnet-4-5', 200_000, 64_000),
  model('anthropic', 'claude-3-7-sonnet', 200_000, 64_000),
  model('anthropic', 'claude-3-5-sonnet', 200_000, 8_192),
  model('anthropic', 'claude-3-5-haiku', 200_000, 8_192),
  model('gemini', 'gemini-2.5-pro', 1_048_576, 65_536),
  model('gemini', 'gemini-2.5-flash', 1_048_576, 65_536),
  model('gemini', 'gemini-2.5-flash-lite', 1_048_576, 65_536),
  model('gemini', 'gemini-2.0-flash', 1_048_576, 8_192),
  model('openai', 'deepseek-chat', 128_000, 8_192, 'https://api.deepseek.com'),
  model('openai', 'deepseek-reasoner', 128_000, 64_000, 'https://api.deepseek.com'),
]

/**
 * Finds a model by id, tolerating dated snapshots (`claude-sonnet-4-20250514`, `gpt-4o-2024-08-06`),
 * `-latest` aliases, Gemini's `models/` prefix and router prefixes (`anthropic/claude-sonnet-4`).
 * The longest matching known id wins, so `gpt-4o-mini-...` is not taken for `gpt-4o`.
 */
export function findKnownModel(modelId: string): KnownModel | undefined {
  const id = modelId.trim().toLowerCase().replace(/^.*\//, '')
  let best: KnownModel | undefined
  for (const m of KNOWN_MODELS) {
    if (id !== m.id && !id.startsWith(`${m.id}-`)) continue
    if (!best || m.id.length > best.id.length) best = m
  }
  return best
}
