import { inject, injectable } from 'tsyringe'
import { ProviderError } from '../../providers/ai-provider.port.ts'
import { openWithFailover } from '../../providers/failover.ts'
import { restrictedOutbound } from '../../models/model-config.ts'
import { UpstreamBudget } from '../../providers/upstream-budget.ts'
import type { KeyPrincipal } from '../api-key-authenticator.port.ts'
import { RelayAdmission } from '../relay-admission.ts'
import { upstreamStatusOf } from '../relay-meter.ts'
import { RelayOptions } from '../relay-options.ts'
import { openWithRetries } from '../relay-retry.ts'
import { UnsupportedForModel } from '../relay.errors.ts'
import { embeddingsJson, estimateEmbeddingTokens, type EmbeddingsCall } from './embeddings-call.ts'
import { ProviderEmbeddings } from './provider-embeddings.port.ts'

/** Gemini's batchEmbedContents takes at most this many inputs. */
export const GEMINI_MAX_INPUTS = 100

export interface RelayEmbeddingsInput {
  principal: KeyPrincipal
  call: EmbeddingsCall
  clientSignal: AbortSignal
}

/**
 * POST /v1/embeddings for any model whose upstream has an embeddings API (OpenAI-compatible, Gemini
 * API key), with the limits, retries, failover and usage records of chat completions. Usage: the
 * provider's prompt tokens, or chars / 4 marked as an estimate (Gemini reports none).
 */
@injectable()
export class RelayEmbeddings {
  constructor(
    @inject(RelayAdmission) private readonly admission: RelayAdmission,
    @inject(ProviderEmbeddings) private readonly embeddings: ProviderEmbeddings,
    @inject(RelayOptions) private readonly options: RelayOptions,
  ) {}

  async execute({ principal, call, clientSignal }: RelayEmbeddingsInput): Promise<{ body: string; overheadMs: number }> {
    const started = performance.now()
    const model = await this.admission.resolve(principal, call.model, `${principal.keyId}:embeddings`)
    const { config } = model
    const provider = config.providerKind
    if (provider === 'anthropic') throw new UnsupportedForModel('Embeddings', 'anthropic', 'model', 'Anthropic has no embeddings API; use an OpenAI-compatible or Gemini embedding model')
    if (provider === 'gemini' && call.input.kind === 'tokens') throw new UnsupportedForModel('Token-id input', 'gemini', 'input', 'Gemini embeds text only')
    if (provider === 'gemini' && call.input.kind === 'text' && call.input.texts.length > GEMINI_MAX_INPUTS) {
      throw new UnsupportedForModel(`More than ${GEMINI_MAX_INPUTS} inputs`, 'gemini', 'input', `Gemini embeds at most ${GEMINI_MAX_INPUTS} inputs per request`)
    }
    const estimated = estimateEmbeddingTokens(call)
    const admission = await this.admission.admit(principal, model, { estimatedInputTokens: estimated, maxOutputTokens: 0 })
    const meter = this.admission.meter(principal, config, admission, started)
    const budget = new UpstreamBudget(this.options.maxAttempts)
    const request = {
      provider,
      baseUrl: config.baseUrl,
      model: config.modelId,
      input: call.input,
      dimensions: call.dimensions,
      user: call.user,
      restricted: restrictedOutbound(config),
      signal: clientSignal,
      budget,
    }
    try {
      const result = await meter.provider(
        openWithFailover(
          (candidate) =>
            openWithRetries(() => this.embeddings.embed({ ...request, ...candidate, baseUrl: candidate.baseUrl ?? request.baseUrl }), this.options.retry, clientSignal, budget),
          model,
          clientSignal,
          budget,
        ),
      )
      const inputTokens = result.inputTokens ?? estimated
      await meter.finish({ status: 'complete', upstreamStatus: '200', reported: { inputTokens: result.inputTokens, outputTokens: 0 }, estimate: { inputTokens: estimated, outputTokens: 0 } })
      return { body: embeddingsJson(call.model, result.vectors, call.encodingFormat, inputTokens), overheadMs: meter.overheadMs() }
    } catch (err) {
      await meter.finish({ status: clientSignal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, clientSignal.aborted) })
      throw noEmbeddingsEndpoint(err, provider) ?? err
    }
  }
}

/**
 * An upstream that answers 404/405 to an embeddings request has no embeddings for this model (a
 * chat-only server or model): the client's request cannot work here, so a 400 that says so rather
 * than a 502.
 */
function noEmbeddingsEndpoint(err: unknown, provider: string): UnsupportedForModel | undefined {
  if (!(err instanceof ProviderError) || err.code !== 'PROVIDER_BAD_REQUEST' || (err.status !== 404 && err.status !== 405)) return undefined
  return new UnsupportedForModel('Embeddings', provider, 'model', `the model's upstream answered HTTP ${err.status} to the embeddings request, so it offers no embeddings for this model: ${err.providerMessage}`)
}
