/**
 * Indicative list prices in USD per 1M tokens, for cost budgets and usage statistics. A model id
 * matches its entry exactly or by the longest entry that prefixes it (dated snapshots such as
 * `gpt-4o-mini-2024-07-18` match `gpt-4o-mini`). Unknown models cost 0.
 *
 * USD per 1M tokens is exactly micro-USD per token, so cost in micros = tokens x price.
 */
export interface ModelPrice {
  input: number
  output: number
  /** Price of prompt tokens served from the provider's cache; defaults to `input`. */
  cachedInput?: number
}

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4-5': { input: 5, output: 25, cachedInput: 0.5 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-5-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cachedInput: 0.025 },
}

const ENTRIES = Object.entries(PRICE_TABLE).sort(([a], [b]) => b.length - a.length)

/** The price of a model id (case-insensitive, `models/` or `openai/`-style prefixes ignored), if known. */
export function priceOf(modelId: string | undefined): ModelPrice | undefined {
  if (!modelId) return undefined
  const id = modelId.toLowerCase().replace(/^[a-z0-9-]+\//, '')
  return PRICE_TABLE[id] ?? ENTRIES.find(([name]) => id.startsWith(`${name}-`))?.[1]
}

export interface TokenCounts {
  inputTokens: number
  outputTokens: number
  /** Part of inputTokens served from the provider's prompt cache. */
  cachedTokens?: number
}

/** Cost in micro-USD, rounded up to a whole micro so that nothing is free by rounding. */
export function costMicros(modelId: string | undefined, counts: TokenCounts): number {
  const price = priceOf(modelId)
  if (!price) return 0
  const cached = Math.min(Math.max(0, counts.cachedTokens ?? 0), counts.inputTokens)
  const raw = (counts.inputTokens - cached) * price.input + cached * (price.cachedInput ?? price.input) + counts.outputTokens * price.output
  return Math.ceil(raw - 1e-9)
}
