import type { Admission, UsageGate, UsageRequest } from './usage-gate.port.ts'

/** Observed ratios kept per model, and the bounds of the factor. */
const WINDOW = 20
const MAX_FACTOR = 16

/**
 * Token quotas are admitted on our prompt estimate (tiktoken) plus the whole output allowance, and
 * settled on what the provider reports. A provider that bills far more input than the estimate
 * (its own tokenizer, hidden system text) would let concurrent requests overshoot a quota many
 * times over. This decorator learns, per model, how much the provider's input exceeds the
 * estimate (the largest ratio of the last WINDOW settled requests, capped at MAX_FACTOR) and
 * reserves the estimate times that. The first requests of a model, before one has settled, are
 * reserved at the bare estimate.
 */
export class CalibratedUsageGate implements UsageGate {
  private readonly ratios = new Map<string, number[]>()

  constructor(
    readonly inner: UsageGate,
    private readonly maxModels = 10_000,
  ) {}

  admit(request: UsageRequest): Promise<Admission> {
    return this.admitScaled(request, this.factorOf(request.modelConfigId))
  }

  private async admitScaled(request: UsageRequest, factor: number): Promise<Admission> {
    const estimate = Math.max(0, request.estimatedInputTokens)
    const admission = await this.inner.admit({ ...request, estimatedInputTokens: Math.ceil(estimate * factor) })
    return {
      settle: async (actual) => {
        if (estimate > 0 && actual.inputTokens > 0) this.observe(request.modelConfigId, actual.inputTokens / estimate)
        await admission.settle(actual)
      },
    }
  }

  private observe(key: string, ratio: number): void {
    const ratios = this.ratios.get(key) ?? []
    ratios.push(Math.min(MAX_FACTOR, Math.max(1, ratio)))
    if (ratios.length > WINDOW) ratios.shift()
    this.ratios.delete(key)
    this.ratios.set(key, ratios)
    if (this.ratios.size > this.maxModels) this.ratios.delete(this.ratios.keys().next().value!)
  }

  private factorOf(key: string): number {
    return Math.max(1, ...(this.ratios.get(key) ?? []))
  }
}
