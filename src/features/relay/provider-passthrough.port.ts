import { token } from '../../shared/di.ts'
import type { AuthType, ProviderKind } from '../providers/ai-provider.port.ts'
import type { UpstreamBudget } from '../providers/upstream-budget.ts'

/** A request in the provider's own dialect, already rewritten for it (model id, usage options). */
export interface PassthroughRequest {
  provider: Exclude<ProviderKind, 'gemini'>
  /** As stored on the model config (OpenAI: including /v1). */
  baseUrl: string
  /** The API key, or the access token when authType is 'oauth'. */
  apiKey: string
  /** Default 'api_key'. */
  authType?: AuthType
  /** The account's outbound proxy; absent or null: direct. */
  proxyUrl?: string | null
  /** A personal model's call: only addresses the outbound policy allows (see CompletionRequest.restricted). */
  restricted?: boolean
  /** The JSON body to send. */
  body: string
  stream: boolean
  /** Extra headers (anthropic-version, anthropic-beta). */
  headers?: Record<string, string>
  /** Aborting closes the upstream connection; a pending open or body read then rejects. */
  signal: AbortSignal
  /** The client call's attempts and total deadline, shared with the retries and failover around this open. */
  budget?: UpstreamBudget
}

/**
 * A response body delivered by push, chunk by chunk as the provider sends it: no promise per chunk,
 * which matters at thousands of chunks per second. pause() and resume() carry backpressure.
 */
export interface ByteSource {
  /**
   * Call once. Resolves when the body ended; rejects with a ProviderError (`midStream`) when reading
   * failed, or with the request signal's reason once it was aborted (the connection is closed then).
   */
  read(onChunk: (chunk: Uint8Array) => void): Promise<void>
  pause(): void
  resume(): void
}

export interface PassthroughResponse {
  /** The 2xx body, unparsed. */
  body: ByteSource
}

/**
 * Raw HTTP to an OpenAI-compatible or Anthropic endpoint, for requests whose client speaks the
 * provider's dialect. A non-2xx answer or a network failure rejects with a ProviderError (the same
 * classification the AiProvider adapters use); a failure while reading the body rejects `read`
 * with one that has `midStream` set.
 */
export interface ProviderPassthrough {
  open(request: PassthroughRequest): Promise<PassthroughResponse>
}
export const ProviderPassthrough = token<ProviderPassthrough>('ProviderPassthrough')
