import type { OutboundTransport } from '../../../shared/outbound/outbound-transport.port.ts'
import type { EmbeddingRequest, EmbeddingResult, ProviderEmbeddings } from '../../relay/embeddings/provider-embeddings.port.ts'
import { ProviderError } from '../ai-provider.port.ts'
import { defaultBaseUrl } from '../provider-catalog.ts'
import { embeddingWire, parseEmbeddings } from './embedding-wire.ts'
import { postUpstream, transportError } from './upstream-call.ts'

/** The relay's embeddings calls: the wire form of embedding-wire.ts over the one outbound transport. */
export class HttpEmbeddings implements ProviderEmbeddings {
  constructor(private readonly transport: OutboundTransport) {}

  async embed(request: EmbeddingRequest): Promise<EmbeddingResult> {
    if (request.provider === 'gemini' && request.authType === 'oauth') {
      // Code Assist (Gemini subscriptions) has generateContent only.
      throw new ProviderError('PROVIDER_BAD_REQUEST', { provider: 'gemini', status: 400, retryable: false, providerMessage: 'Gemini subscription (OAuth) accounts offer no embeddings API; use a Gemini API key' })
    }
    const wire = embeddingWire({ ...request, baseUrl: request.baseUrl || defaultBaseUrl(request.provider) })
    const response = await postUpstream(
      this.transport,
      {
        provider: request.provider,
        url: wire.url,
        headers: wire.headers,
        body: JSON.stringify(wire.body),
        secret: request.apiKey,
        proxyUrl: request.proxyUrl,
        restricted: request.restricted,
        signal: request.signal,
        budget: request.budget,
      },
      'application/json',
    )
    const chunks: Buffer[] = []
    try {
      for await (const chunk of response.body) chunks.push(chunk as Buffer)
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason
      throw transportError(request.provider, error, request.apiKey, true)
    }
    return parseEmbeddings(request, Buffer.concat(chunks).toString('utf8'))
  }
}
