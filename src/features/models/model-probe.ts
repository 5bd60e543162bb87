import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { AiProvider, ProviderError, type AuthType, type ProviderErrorCode } from '../providers/ai-provider.port.ts'
import type { ModelConfig } from './model-config.ts'

export type ProbeResult =
  | { ok: true; latencyMs: number }
  | { ok: false; latencyMs: number; error: { code: ProviderErrorCode; message: string } }

/** How the call goes when it is not the model's own key: an upstream account's auth, route and endpoint. */
export interface ProbeRoute {
  authType?: AuthType
  proxyUrl?: string | null
  projectId?: string | null
  baseUrl?: string | null
}

export const PROBE_TIMEOUT_MS = 20_000
/** Enough for any model to answer "OK", small enough to cost nothing. No sampling params: some models refuse any. */
const PROBE_OUTPUT_TOKENS = 16

/**
 * A minimal real call through a model: "Say OK" with a tiny output budget. Success means the stream
 * finished; a failure reports the provider's own message (the adapters have removed the key from it).
 */
@injectable()
export class ModelProbe {
  constructor(
    @inject(AiProvider) private readonly ai: AiProvider,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async run(config: Pick<ModelConfig, 'providerKind' | 'baseUrl' | 'modelId'>, apiKey: string, timeoutMs = PROBE_TIMEOUT_MS, route: ProbeRoute = {}): Promise<ProbeResult> {
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
      if (error instanceof ProviderError) {
        return { ok: false, latencyMs: latency(), error: { code: error.code, message: error.providerMessage } }
      }
      if (signal.aborted) {
        return { ok: false, latencyMs: latency(), error: { code: 'PROVIDER_UNAVAILABLE', message: `no answer within ${timeoutMs / 1000} s` } }
      }
      throw error
    }
  }
}
