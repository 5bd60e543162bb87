import type { OutboundTransport } from '../../../shared/outbound/outbound-transport.port.ts'
import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent, type UpstreamCredential } from '../ai-provider.port.ts'
import { dialectOf } from './dialects/dialects.ts'
import { defaultBaseUrl } from '../provider-catalog.ts'
import { protocolError } from './provider-errors.ts'
import { readSse, SseBufferOverflow } from './sse.ts'
import { transportError, postUpstream } from './upstream-call.ts'

export const credentialOf = (request: Pick<CompletionRequest, 'apiKey' | 'authType' | 'projectId'>): UpstreamCredential => ({
  type: request.authType ?? 'api_key',
  secret: request.apiKey,
  projectId: request.projectId ?? null,
})

/**
 * The production AiProvider: the request's dialect builds the call, the one outbound transport
 * carries it (through the account's proxy, if any), and the dialect decodes the stream.
 * Cancellation: aborting request.signal closes the connection and rejects with its reason;
 * leaving the iteration early closes it too.
 */
export class HttpAiProvider implements AiProvider {
  constructor(private readonly transport: OutboundTransport) {}

  async *stream(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
    const dialect = dialectOf(request.provider)
    if (!dialect) throw unknownKind(request)
    const credential = credentialOf(request)
    const baseUrl = request.baseUrl || defaultBaseUrl(request.provider)
    const body = dialect.streamBody(request)
    const response = await postUpstream(
      this.transport,
      {
        provider: dialect.kind,
        url: dialect.completionUrl(baseUrl, request.model, true, credential),
        headers: dialect.headers(credential),
        body: JSON.stringify(dialect.wrapBody ? dialect.wrapBody(body, request.model, credential) : body),
        secret: request.apiKey,
        proxyUrl: request.proxyUrl,
        restricted: request.restricted,
        signal: request.signal,
        budget: request.budget,
      },
      'text/event-stream',
    )
    const decoder = dialect.decoder(request.apiKey, credential, request)
    const { signal } = request
    try {
      for await (const item of readSse(response.body)) yield* decoder.push(item)
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error
      if (error instanceof ProviderError) throw error
      if (error instanceof SseBufferOverflow) throw protocolError(dialect.kind, error.message, false)
      throw transportError(dialect.kind, error, request.apiKey, true)
    } finally {
      // No-op after a complete body; otherwise (consumer left, error) it closes the connection.
      response.body.destroy()
    }
    yield* decoder.end()
  }
}

function unknownKind(request: CompletionRequest): ProviderError {
  return new ProviderError('PROVIDER_BAD_REQUEST', {
    provider: request.provider,
    status: 0,
    retryable: false,
    providerMessage: `unknown provider kind "${String(request.provider)}"`,
  })
}
