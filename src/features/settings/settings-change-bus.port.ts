import { token } from '../../shared/di.ts'

/**
 * "Something changed, re-read it." Carries keys, never values, so a message is plain JSON (it can
 * cross a Redis channel) and a late or duplicated message can only cause an extra re-read.
 */
export type SettingsChange =
  | { scope: 'system'; keys: string[] }
  | { scope: 'user'; userId: string; keys: string[] }

export type SettingsChangeListener = (change: SettingsChange) => void

export interface SettingsChangeBus {
  /**
   * Tells every subscriber. Subscribers in this process must have been called when the promise
   * resolves (a read right after a write sees the new value); other replicas learn eventually.
   */
  publish(change: SettingsChange): Promise<void>
  /** Returns the unsubscribe function. Listeners must be quick and must not throw. */
  subscribe(listener: SettingsChangeListener): () => void
}
export const SettingsChangeBus = token<SettingsChangeBus>('SettingsChangeBus')
