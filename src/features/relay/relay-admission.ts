import { inject, injectable } from 'tsyringe'
import { Clock } from '../../shared/clock.port.ts'
import { AppError } from '../../shared/errors.ts'
import { Log, type Logger } from '../../shared/logger.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { ModelAccess, type UsableModel } from '../models/model-access.port.ts'
import type { ModelConfig } from '../models/model-config.ts'
import { UsageGate, type Admission } from '../usage/usage-gate.port.ts'
import { UsageRecorder } from '../usage/usage-recorder.port.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { RelayMeter } from './relay-meter.ts'
import { pickModel } from './relay-models.ts'
import { RelayOptions } from './relay-options.ts'
import { RelayModelNotFound } from './relay.errors.ts'
import { TtlCache } from './ttl-cache.ts'

export interface AdmissionEstimate {
  /** Prompt tokens reserved against quotas before the call. */
  estimatedInputTokens: number
  /** The output the call may produce (0 for embeddings). */
  maxOutputTokens: number
}

/**
 * What every relay route does before its upstream call: the model the request names (among those
 * the key may use, with its key opened), admission by the usage gate (limits and quotas, as for
 * /v1/chat/completions), and the meter that settles and records the call.
 */
@injectable()
export class RelayAdmission {
  private readonly usable: TtlCache<ModelConfig[]>

  constructor(
    @inject(ModelAccess) private readonly models: ModelAccess,
    @inject(UsageGate) private readonly gate: UsageGate,
    @inject(UsageRecorder) private readonly recorder: UsageRecorder,
    @inject(RelayOptions) options: RelayOptions,
    @inject(Metrics) private readonly metrics: Metrics,
    @inject(Log) private readonly log: Logger,
    @inject(Clock) private readonly clock: Clock,
  ) {
    this.usable = new TtlCache(options.modelListCacheMs)
  }

  /** The model `name` means for this key (RelayModelNotFound / AmbiguousModel otherwise). */
  async resolve(principal: KeyPrincipal, name: string, stickyKey: string): Promise<UsableModel> {
    const { actor } = principal
    const cacheKey = `${actor.userId}:${actor.role}`
    const load = () => this.models.listUsable(actor)
    // A name missing from the cached list may be a model created a moment ago: look again.
    const config =
      pickModel(await this.usable.get(cacheKey, load), principal.allowedModels, name) ??
      pickModel(await this.usable.refresh(cacheKey, load), principal.allowedModels, name)
    if (!config) throw new RelayModelNotFound(name)
    try {
      return await this.models.resolveForUse(actor, config.id, { stickyKey })
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') throw new RelayModelNotFound(name)
      throw err
    }
  }

  async admit(principal: KeyPrincipal, { config }: UsableModel, estimate: AdmissionEstimate): Promise<Admission> {
    try {
      return await this.gate.admit({
        actor: principal.actor,
        apiKey: { id: principal.keyId, limits: principal.limits },
        modelConfigId: config.id,
        modelId: config.modelId,
        source: 'relay',
        ...estimate,
      })
    } catch (err) {
      if (err instanceof AppError && (err.code === 'RATE_LIMITED' || err.code === 'QUOTA_EXCEEDED')) this.metrics.quotaRejected('relay', err.code)
      throw err
    }
  }

  /** `started`: performance.now() when the request reached the relay. */
  meter(principal: KeyPrincipal, config: ModelConfig, admission: Admission, started: number): RelayMeter {
    return new RelayMeter({ metrics: this.metrics, recorder: this.recorder, log: this.log, clock: this.clock }, principal, config, admission, started)
  }
}
