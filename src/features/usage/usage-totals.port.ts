import { token } from '../../shared/di.ts'

export type UsageOwner = { userId: string } | { apiKeyId: string }

/** Recorded usage of a user or a key in [from, to): where the gates start a day or month. */
export interface UsageTotals {
  sum(owner: UsageOwner, from: Date, to: Date): Promise<{ tokens: number; costMicros: number }>
}
export const UsageTotals = token<UsageTotals>('UsageTotals')
