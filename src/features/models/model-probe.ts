import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { AiProvider, ProviderError, providerSummary, type AuthType, type ProviderErrorCode } from '../providers/ai-provider.port.ts'
import { restrictedOutbound, type ModelConfig } from './model-config.ts'

/**
 * A failed test as the caller sees it: the code, the upstream's status and the provider's own error
 * code/type (from its JSON error format). Never the upstream's body or message: a model can point
 * at any server, and the test must not become a way to read what that server says.
 */
export interface ProbeFailure {
  code: ProviderErrorCode
  /** Ours: provider, what went wrong, status and provider code; for a network failure, what the transport saw. */
  message: string
  /** The upstream's HTTP status; 0: no answer (network, proxy, the probe's own deadline); 200: an error inside the stream. */
  status: number
  /** `invalid_api_key`, `model_not_found`, `overloaded_error`, `RESOURCE_EXHAUSTED`...; the transport's kind for network failures. */
  providerCode?: string
}

export type ProbeResult = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; error: ProbeFailure }

/** How the call goes when it is not the model's own key: an upstream account's auth, route and endpoint. */
export interface ProbeRoute {
  authType?: AuthType
  proxyUrl?: string | null
  projectId?: string | null
  baseUrl?: string | null
}

/** A provider's error code or type is a short token; anything else (prose, markup) is not repeated. */
const CODE_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/

export function probeFailure(error: ProviderError): ProbeFailure {
  const providerCode = error.providerCode !== undefined && CODE_TOKEN.test(error.providerCode) ? error.providerCode : undefined
  // Status 0: nothing answered, the message is the transport's own (refused, reset, DNS, timeout).
  const detail = error.status === 0 ? `: ${error.providerMessage.slice(0, 200)}` : ''
  const message = `${providerSummary(error.code, error.provider, error.status, error.midStream)}${providerCode ? ` [${providerCode}]` : ''}${detail}`
  return { code: error.code, message, status: error.status, ...(providerCode && { providerCode }) }
}

export const PROBE_TIMEOUT_MS = 20_000
/** Enough for any model to answer "OK", small enough to cost nothing. No sampling params: some models refuse any. */
const PROBE_OUTPUT_TOKENS = 16

/**
 * A minimal real call through a model: "Say OK" with a tiny output budget. Success means the stream
 * finished; a provider failure is reported as a ProbeFailure (status and code, never the body).
 * A personal model's call is restricted: an endpoint the outbound policy refuses throws
 * OutboundAddressRefused (403), since no provider was asked.
 */
@injectable()
export class ModelProbe {
  constructor(
    @inject(AiProvider) private readonly ai: AiProvider,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async run(config: Pick<ModelConfig, 'providerKind' | 'baseUrl' | 'modelId' | 'ownerId'>, apiKey: string, timeoutMs = PROBE_TIMEOUT_MS, route: ProbeRoute = {}): Promise<ProbeResult> {
    const started = this.clock.now().getTime()
    const latency = () => Math.max(0, this.clock.now().getTime() - started)
    const signal = AbortSignal.timeout(timeoutMs)
    try {
      const events = this.ai.stream({
        provider: config.providerKind,
        baseUrl: route.baseUrl ?? config.baseUrl,
        apiKey,
        authType: route.authType,
        proxyUrl: route.proxyUrl,
        projectId: route.projectId,
        restricted: restrictedOutbound(config),
        model: config.modelId,
        messages: [{ role: 'user', content: 'Say OK' }],
        maxOutputTokens: PROBE_OUTPUT_TOKENS,
        signal,
      })
      for await (const _event of events) {
        // Drain to the end: the call succeeded only if the stream finished cleanly.
      }
      return { ok: true, latencyMs: latency() }
    } catch (error) {
      if (error instanceof ProviderError) return { ok: false, latencyMs: latency(), error: probeFailure(error) }
      if (signal.aborted) {
        return { ok: false, latencyMs: latency(), error: { code: 'PROVIDER_UNAVAILABLE', message: `no answer within ${timeoutMs / 1000} s`, status: 0 } }
      }
      throw error
    }
  }
}
