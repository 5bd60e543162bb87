import { token } from '../../../shared/di.ts'
import type { AuthType, ProviderKind } from '../../providers/ai-provider.port.ts'
import type { UpstreamBudget } from '../../providers/upstream-budget.ts'

/** The provider kinds with an embeddings API the relay maps (Anthropic has none). */
export type EmbeddingProviderKind = Exclude<ProviderKind, 'anthropic'>

/** Texts, or (OpenAI-compatible only) token arrays, one vector each, in order. */
export type EmbeddingInput = { kind: 'text'; texts: string[] } | { kind: 'tokens'; tokens: number[][] }

export interface EmbeddingRequest {
  provider: EmbeddingProviderKind
  /** As stored on the model config (OpenAI: including /v1). */
  baseUrl: string
  apiKey: string
  /** Default 'api_key'. */
  authType?: AuthType
  proxyUrl?: string | null
  /** A personal model's call: only addresses the outbound policy allows. */
  restricted?: boolean
  model: string
  input: EmbeddingInput
  /** Output dimensions (OpenAI `dimensions`, Gemini `outputDimensionality`). */
  dimensions?: number
  /** OpenAI's end-user id, passed on where the provider takes one. */
  user?: string
  signal: AbortSignal
  budget?: UpstreamBudget
}

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  vectors: number[][]
  /** Prompt tokens as the provider reported them; absent when it reports none (Gemini). */
  inputTokens?: number
}

/**
 * One embeddings call in the provider's wire format (OpenAI-compatible POST /embeddings, Gemini
 * :batchEmbedContents), through the outbound transport. Failures are ProviderErrors classified as
 * for completions (retry and failover rules apply unchanged).
 */
export interface ProviderEmbeddings {
  embed(request: EmbeddingRequest): Promise<EmbeddingResult>
}
export const ProviderEmbeddings = token<ProviderEmbeddings>('ProviderEmbeddings')
