import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'

export type UsageSource = 'chat' | 'relay'

export interface UsageRequest {
  actor: Actor
  modelConfigId: string
  source: UsageSource
  /** Our estimate of the prompt, reserved against token quotas before the upstream call. */
  estimatedInputTokens: number
  maxOutputTokens: number
}

/** A request let through: it holds its reservation (and a concurrent-stream slot) until settled. */
export interface Admission {
  /** Replaces the reservation with the real usage and frees the stream slot. Call exactly once. */
  settle(actual: { inputTokens: number; outputTokens: number }): Promise<void>
}

/**
 * Limits and quotas shared by chat and the relay: requests per minute, concurrent streams, tokens
 * per day and month. `admit` throws a RATE_LIMITED or QUOTA_EXCEEDED AppError with retryAfter.
 */
export interface UsageGate {
  admit(request: UsageRequest): Promise<Admission>
}
export const UsageGate = token<UsageGate>('UsageGate')
