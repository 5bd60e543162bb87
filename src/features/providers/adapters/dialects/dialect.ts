import type { CompletionRequest, ProviderEvent, ProviderKind, UpstreamCredential } from '../../ai-provider.port.ts'
import type { SseItem } from '../sse.ts'

/**
 * Everything one provider kind's wire format knows, in one place, used by chat (through the
 * AiProvider port) and by the relay (pass-through): endpoints, auth headers, the request body of a
 * normalised completion, and the stream decoder. Pure: no I/O; the HTTP adapters do the calls.
 */
export interface ProviderDialect {
  readonly kind: ProviderKind
  /** Where a completion goes: stream or not, for this credential (Gemini OAuth goes to Code Assist). */
  completionUrl(baseUrl: string, model: string, stream: boolean, credential: UpstreamCredential): string
  /** Credential and version headers. `clientBeta`: an Anthropic client's own anthropic-beta, kept. */
  headers(credential: UpstreamCredential, clientBeta?: string): Record<string, string>
  /** The wire body of a normalised streaming completion. */
  streamBody(request: CompletionRequest): unknown
  /** Wraps a body already in this dialect for the credential's endpoint (Gemini Code Assist: {model, project, request}). */
  wrapBody?(body: unknown, model: string, credential: UpstreamCredential): unknown
  /** A decoder for one stream; `secret` only to redact error messages; `request`: what was asked (JSON mode changes decoding). */
  decoder(secret: string, credential: UpstreamCredential, request?: CompletionRequest): StreamDecoder
}

export interface StreamDecoder {
  /** The events one SSE item carries; throws a ProviderError for an error payload. */
  push(item: SseItem): ProviderEvent[]
  /** The stream ended: its closing events (usage, finish), or throws when it was cut short. */
  end(): ProviderEvent[]
}

export const NO_EVENTS: ProviderEvent[] = []
