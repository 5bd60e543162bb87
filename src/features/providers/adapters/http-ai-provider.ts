import { ProviderError, type AiProvider, type CompletionRequest, type ProviderEvent, type ProviderKind } from '../ai-provider.port.ts'
import { defaultBaseUrl } from '../provider-catalog.ts'
import { AnthropicAdapter } from './anthropic.adapter.ts'
import { GeminiAdapter } from './gemini.adapter.ts'
import type { FetchLike } from './http-stream.ts'
import { OpenAiAdapter } from './openai.adapter.ts'

export interface HttpAiProviderOptions {
  /** Defaults to the global fetch (undici). */
  fetch?: FetchLike
}

/** The production AiProvider: dispatches on request.provider to the dialect's HTTP adapter. */
export class HttpAiProvider implements AiProvider {
  private readonly adapters: Record<ProviderKind, AiProvider>

  constructor(options: HttpAiProviderOptions = {}) {
    const f = options.fetch
    this.adapters = { openai: new OpenAiAdapter(f), anthropic: new AnthropicAdapter(f), gemini: new GeminiAdapter(f) }
  }

  stream(request: CompletionRequest): AsyncIterable<ProviderEvent> {
    const adapter = Object.hasOwn(this.adapters, request.provider) ? this.adapters[request.provider] : undefined
    if (!adapter) return failing(request)
    return adapter.stream({ ...request, baseUrl: request.baseUrl || defaultBaseUrl(request.provider) })
  }
}

// eslint-disable-next-line require-yield
async function* failing(request: CompletionRequest): AsyncGenerator<ProviderEvent> {
  throw new ProviderError('PROVIDER_BAD_REQUEST', {
    provider: request.provider,
    status: 0,
    retryable: false,
    providerMessage: `unknown provider kind "${String(request.provider)}"`,
  })
}
