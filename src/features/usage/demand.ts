import type { Demand } from './limit-policy.ts'
import { costMicros } from './price-table.ts'
import type { Admission, UsageRequest } from './usage-gate.port.ts'

export type ActualUsage = Parameters<Admission['settle']>[0]

/** The most a request may use: the prompt estimate plus the whole output allowance. */
export function demandOf(request: UsageRequest): Demand {
  const inputTokens = Math.max(0, Math.ceil(request.estimatedInputTokens))
  const outputTokens = Math.max(0, Math.ceil(request.maxOutputTokens))
  return { tokens: inputTokens + outputTokens, costMicros: costMicros(request.modelId, { inputTokens, outputTokens }) }
}

/** What a finished request really used. */
export function actualDemand(modelId: string | undefined, actual: ActualUsage): Demand {
  const counts = {
    inputTokens: Math.max(0, Math.round(actual.inputTokens)),
    outputTokens: Math.max(0, Math.round(actual.outputTokens)),
    cachedTokens: Math.max(0, Math.round(actual.cachedTokens ?? 0)),
  }
  return { tokens: counts.inputTokens + counts.outputTokens, costMicros: costMicros(modelId, counts) }
}

/** An Admission whose settle runs at most once, as the port promises callers may rely on. */
export function settleOnce(settle: (actual: ActualUsage) => Promise<void>): Admission {
  let done = false
  return {
    async settle(actual) {
      if (done) return
      done = true
      await settle(actual)
    },
  }
}
