import { token } from '../../shared/di.ts'
import type { ProviderKind } from '../providers/ai-provider.port.ts'

/** A request in the provider's own dialect, already rewritten for it (model id, usage options). */
export interface PassthroughRequest {
  provider: Exclude<ProviderKind, 'gemini'>
  /** As stored on the model config (OpenAI: including /v1). */
  baseUrl: string
  apiKey: string
  /** The JSON body to send. */
  body: string
  stream: boolean
  /** Extra headers (anthropic-version, anthropic-beta). */
  headers?: Record<string, string>
  /** Aborting closes the upstream connection; a pending open or body read then rejects. */
  signal: AbortSignal
}

export interface PassthroughResponse {
  /** The 2xx body, unparsed, chunk by chunk as the provider sends it (read it to apply backpressure). */
  body: AsyncIterable<Uint8Array>
}

/**
 * Raw HTTP to an OpenAI-compatible or Anthropic endpoint, for requests whose client speaks the
 * provider's dialect. A non-2xx answer or a network failure rejects with a ProviderError (the same
 * classification the AiProvider adapters use); a failure while reading the body makes the
 * iteration throw one with `midStream` set.
 */
export interface ProviderPassthrough {
  open(request: PassthroughRequest): Promise<PassthroughResponse>
}
export const ProviderPassthrough = token<ProviderPassthrough>('ProviderPassthrough')
