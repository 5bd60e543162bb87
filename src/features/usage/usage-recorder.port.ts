import { token } from '../../shared/di.ts'
import type { UsageSource } from './usage-gate.port.ts'

/** One finished request (chat reply or relay call), for usage statistics. */
export interface UsageEntry {
  userId: string
  apiKeyId: string | null
  modelConfigId: string | null
  modelId: string
  provider: string
  source: UsageSource
  inputTokens: number
  outputTokens: number
  cachedTokens: number
  reasoningTokens: number
  estimated: boolean
  latencyMs: number
  ttftMs: number | null
  /** Micro-USD; computed from the price table when absent. */
  costMicros?: number
  /** complete | aborted | error | interrupted */
  status: string
  at: Date
}

/** Records usage without slowing the request: implementations may buffer and write in batches. */
export interface UsageRecorder {
  record(entry: UsageEntry): void
  /** Writes whatever is buffered (on shutdown, and in tests). */
  flush(): Promise<void>
}
export const UsageRecorder = token<UsageRecorder>('UsageRecorder')
