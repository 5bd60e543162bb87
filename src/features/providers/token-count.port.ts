import { token } from '../../shared/di.ts'
import type { CompletionRequest } from './ai-provider.port.ts'

/**
 * The provider's own count of a request's input tokens, where its API has one: Anthropic
 * `POST /v1/messages/count_tokens`, Gemini `:countTokens` (API keys; Code Assist has none here).
 * OpenAI has no counting endpoint: callers estimate instead.
 */
export interface UpstreamTokenCounter {
  /** Whether `count` can ask the provider for this request (its kind and credential). */
  counts(request: Pick<CompletionRequest, 'provider' | 'authType'>): boolean
  /**
   * The input tokens as the provider counts them. `body`, when given, is already in the provider's
   * own format (a client that speaks it) and goes as it is; otherwise the dialect builds it.
   * Failures are ProviderErrors, as for completions.
   */
  count(request: CompletionRequest, body?: Record<string, unknown>): Promise<number>
}
export const UpstreamTokenCounter = token<UpstreamTokenCounter>('UpstreamTokenCounter')
