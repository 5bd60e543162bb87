import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { AppError } from '../../shared/errors.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { ModelAccess, type UsableModel } from '../models/model-access.port.ts'
import type { ModelConfig } from '../models/model-config.ts'
import { AiProvider } from '../providers/ai-provider.port.ts'
import { UpstreamBudget } from '../providers/upstream-budget.ts'
import { UsageGate, type Admission } from '../usage/usage-gate.port.ts'
import { UsageRecorder } from '../usage/usage-recorder.port.ts'
import { anthropicToCompletion } from './anthropic-format.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { openAiToCompletion } from './openai-format.ts'
import { relayPassthrough } from './passthrough-flow.ts'
import { ProviderPassthrough } from './provider-passthrough.port.ts'
import { conversationKey, estimateInputTokens, type RelayCall } from './relay-call.ts'
import type { RelayOutcome } from './relay-flow.ts'
import { RelayMeter, upstreamStatusOf } from './relay-meter.ts'
import { pickModel } from './relay-models.ts'
import { RelayOptions } from './relay-options.ts'
import { RelayModelNotFound } from './relay.errors.ts'
import { relayTranslated } from './translate-flow.ts'
import { TtlCache } from './ttl-cache.ts'

export interface RelayCompletionInput {
  principal: KeyPrincipal
  call: RelayCall
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal
}

/**
 * One OpenAI- or Anthropic-format completion for a platform key. Model access, the key's model
 * list, limits and the provider's acceptance are all settled before this returns, so their
 * failures are ordinary HTTP errors; once a stream is returned, failures are events inside it.
 * Same dialect on both sides: pass-through; otherwise translation through the AiProvider port.
 */
@injectable()
export class RelayCompletion {
  private readonly usable: TtlCache<ModelConfig[]>

  constructor(
    @inject(ModelAccess) private readonly models: ModelAccess,
    @inject(UsageGate) private readonly gate: UsageGate,
    @inject(UsageRecorder) private readonly recorder: UsageRecorder,
    @inject(ProviderPassthrough) private readonly passthrough: ProviderPassthrough,
    @inject(AiProvider) private readonly provider: AiProvider,
    @inject(RelayOptions) private readonly options: RelayOptions,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(Log) private readonly log: Logger,
    @inject(Clock) private readonly clock: Clock,
  ) {
    this.usable = new TtlCache(options.modelListCacheMs)
  }

  async execute({ principal, call, clientSignal }: RelayCompletionInput): Promise<RelayOutcome> {
    const started = performance.now()
    const model = await this.resolve(principal, call)
    const { config } = model
    const verbatim = call.dialect === config.providerKind
    // Checked before admission: an untranslatable request must not use up a rate-limit slot.
    const translated = verbatim ? undefined : call.dialect === 'openai' ? openAiToCompletion(call, model) : anthropicToCompletion(call, model)
    const admission = await this.admit(principal, call, model)
    const meter = new RelayMeter({ metrics: this.metrics, recorder: this.recorder, log: this.log, clock: this.clock }, principal, config, admission, started)
    const ctx = { call, model, meter, signal: clientSignal, options: this.options, budget: new UpstreamBudget(this.options.maxAttempts) }
    try {
      return translated ? await relayTranslated(this.provider, translated, ctx) : await relayPassthrough(this.passthrough, ctx)
    } catch (err) {
      await meter.finish({ status: clientSignal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, clientSignal.aborted) })
      throw err
    }
  }

  private async resolve(principal: KeyPrincipal, call: RelayCall): Promise<UsableModel> {
    const name = call.model
    const { actor } = principal
    const cacheKey = `${actor.userId}:${actor.role}`
    const load = () => this.models.listUsable(actor)
    // A name missing from the cached list may be a model created a moment ago: look again.
    const config =
      pickModel(await this.usable.get(cacheKey, load), principal.allowedModels, name) ??
      pickModel(await this.usable.refresh(cacheKey, load), principal.allowedModels, name)
    if (!config) throw new RelayModelNotFound(name)
    try {
      return await this.models.resolveForUse(principal.actor, config.id, { stickyKey: conversationKey(call, principal.keyId) })
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') throw new RelayModelNotFound(name)
      throw err
    }
  }

  private async admit(principal: KeyPrincipal, call: RelayCall, { config }: UsableModel): Promise<Admission> {
    try {
      return await this.gate.admit({
        actor: principal.actor,
        apiKey: { id: principal.keyId, limits: principal.limits },
        modelConfigId: config.id,
        modelId: config.modelId,
        source: 'relay',
        estimatedInputTokens: estimateInputTokens(call),
        maxOutputTokens: Math.min(call.maxOutputTokens ?? config.maxOutputTokens, config.maxOutputTokens),
      })
    } catch (err) {
      if (err instanceof AppError && (err.code === 'RATE_LIMITED' || err.code === 'QUOTA_EXCEEDED')) this.metrics.quotaRejected('relay', err.code)
      throw err
    }
  }
}
