import { token } from '../../shared/di.ts'
import type { UserLimitsOverride } from './limits.ts'

/** The per-user overrides (User.limits), read by the gates and written by admins. */
export interface UserLimitsStore {
  /** null when the user does not exist. */
  get(userId: string): Promise<UserLimitsOverride | null>
  /** Replaces the whole override; false when the user does not exist. */
  set(userId: string, override: UserLimitsOverride): Promise<boolean>
}
export const UserLimitsStore = token<UserLimitsStore>('UserLimitsStore')
