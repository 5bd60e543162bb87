import { token } from '../../shared/di.ts'

/** Which account a conversation last went through, for a while (shared through Redis when configured). */
export interface StickyRoutes {
  get(key: string): Promise<string | null>
  set(key: string, accountId: string, ttlMs: number): Promise<void>
}
export const StickyRoutes = token<StickyRoutes>('StickyRoutes')
