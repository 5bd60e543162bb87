import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'
import type { Limits } from './limits.ts'

export type UsageSource = 'chat' | 'relay'

export interface UsageRequest {
  actor: Actor
  /** Set when the call came with a platform API key: its own limits apply too. */
  apiKey?: { id: string; limits: Limits }
  modelConfigId: string
  /** The provider's model id, for the price table. */
  modelId?: string
  source: UsageSource
  /** Our estimate of the prompt, reserved against token quotas before the upstream call. */
  estimatedInputTokens: number
  maxOutputTokens: number
}

/** A request let through: it holds its reservation (and a concurrent-stream slot) until settled. */
export interface Admission {
  /** Replaces the reservation with the real usage and frees the stream slot. Call exactly once. */
  settle(actual: { inputTokens: number; outputTokens: number; cachedTokens?: number }): Promise<void>
}

/**
 * Limits and quotas shared by chat and the relay: requests per minute, concurrent streams, tokens
 * per day and month. `admit` throws a RATE_LIMITED or QUOTA_EXCEEDED AppError with retryAfter.
 */
export interface UsageGate {
  admit(request: UsageRequest): Promise<Admission>
}
export const UsageGate = token<UsageGate>('UsageGate')
