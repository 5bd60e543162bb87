import type { Logger } from '../../shared/logger.ts'
import type { Clock } from '../../shared/clock.port.ts'
import type { Metrics } from '../../shared/metrics.port.ts'
import type { ModelConfig } from '../models/model-config.ts'
import { ProviderError, type TokenUsage } from '../providers/ai-provider.port.ts'
import type { Admission } from '../usage/usage-gate.port.ts'
import type { UsageRecorder } from '../usage/usage-recorder.port.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'

export type RelayStatus = 'complete' | 'aborted' | 'error'

export interface RelayEnd {
  status: RelayStatus
  /** HTTP status of the upstream answer, 'network', or 'aborted' (the metric label). */
  upstreamStatus: string
  /** What the provider reported, if anything was generated; absent = nothing billed. */
  reported?: TokenUsage
  /** Estimates for the fields the provider did not report. */
  estimate?: { inputTokens: number; outputTokens: number }
}

export interface MeterDeps {
  metrics: Metrics
  recorder: UsageRecorder
  log: Logger
  clock: Clock
}

/** The label for the upstream-call metric. */
export function upstreamStatusOf(err: unknown, aborted: boolean): string {
  if (aborted) return 'aborted'
  if (err instanceof ProviderError) return err.status === 0 ? 'network' : String(err.status)
  return 'error'
}

/**
 * Time and usage of one relay call. Overhead = wall time minus the time spent waiting on the
 * provider and on the client (a slow reader): what our own code cost. `finish` settles the
 * admission, records the usage entry and reports the metrics, exactly once.
 */
export class RelayMeter {
  private readonly startedAt: number
  private providerMs = 0
  private clientMs = 0
  private firstTokenAt: number | null = null
  private closeStream: (() => void) | undefined
  private finished = false

  constructor(
    private readonly deps: MeterDeps,
    private readonly principal: KeyPrincipal,
    private readonly config: ModelConfig,
    private readonly admission: Admission,
    /** performance.now() when the request reached the relay. */
    private readonly started = performance.now(),
  ) {
    this.startedAt = deps.clock.now().getTime() - (performance.now() - started)
  }

  /** Awaits something the provider owes us, counting the wait as provider time. */
  async provider<T>(pending: Promise<T>): Promise<T> {
    const since = performance.now()
    try {
      return await pending
    } finally {
      this.providerMs += performance.now() - since
    }
  }

  providerWaited(ms: number): void {
    this.providerMs += ms
  }

  clientWaited(ms: number): void {
    this.clientMs += ms
  }

  streamOpened(): void {
    this.closeStream ??= this.deps.metrics.streamOpened('relay')
  }

  firstToken(): void {
    this.firstTokenAt ??= performance.now()
  }

  overheadMs(): number {
    return Math.max(0, Math.round(performance.now() - this.started - this.providerMs - this.clientMs))
  }

  async finish(end: RelayEnd): Promise<void> {
    if (this.finished) return
    this.finished = true
    this.closeStream?.()
    const { reported = {}, estimate } = end
    const inputTokens = reported.inputTokens ?? estimate?.inputTokens ?? 0
    const outputTokens = reported.outputTokens ?? estimate?.outputTokens ?? 0
    const estimated = !!estimate && (reported.inputTokens === undefined || reported.outputTokens === undefined)
    const cachedTokens = reported.cachedTokens ?? 0
    try {
      await this.admission.settle({ inputTokens, outputTokens, cachedTokens })
    } catch (err) {
      this.deps.log.warn({ err }, 'could not settle a relay admission')
    }
    const { id, modelId, providerKind: provider } = this.config
    const ttftMs = this.firstTokenAt === null ? null : Math.round(this.firstTokenAt - this.started)
    this.deps.recorder.record({
      userId: this.principal.actor.userId,
      apiKeyId: this.principal.keyId,
      modelConfigId: id,
      modelId,
      provider,
      source: 'relay',
      inputTokens,
      outputTokens,
      cachedTokens,
      reasoningTokens: reported.reasoningTokens ?? 0,
      estimated,
      latencyMs: this.deps.clock.now().getTime() - this.startedAt,
      ttftMs,
      status: end.status,
      at: this.deps.clock.now(),
    })
    const { metrics } = this.deps
    metrics.upstreamCall({ provider, model: modelId, status: end.upstreamStatus }, performance.now() - this.started)
    if (ttftMs !== null) metrics.timeToFirstToken('relay', provider, modelId, ttftMs)
    metrics.overhead('relay', this.overheadMs())
    metrics.tokens(provider, modelId, 'in', inputTokens)
    metrics.tokens(provider, modelId, 'out', outputTokens)
  }
}
