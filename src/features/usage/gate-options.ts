import { token } from '../../shared/di.ts'

export interface UsageGateOptions {
  /** Prefix of every Redis key the shared gate writes (one deployment, or one test run, per prefix). */
  redisKeyPrefix: string
  /**
   * How long a concurrency slot and its token reservation are held without a settle. A replica that
   * crashes mid-stream frees them after this; a stream that runs longer stops counting against
   * concurrency and is charged its real use at settlement.
   */
  leaseMs: number
}
export const UsageGateOptions = token<UsageGateOptions>('UsageGateOptions')

export const DEFAULT_GATE_OPTIONS: UsageGateOptions = { redisKeyPrefix: 'chatbase:usage:', leaseMs: 10 * 60_000 }
