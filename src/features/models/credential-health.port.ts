import { token } from '../../shared/di.ts'

/** A key that is sitting out: until when, and the status that put it there (0: network failure). */
export interface CooldownState {
  cooldownUntilMs: number
  lastStatus: number
}

/**
 * The live cooldowns of pool keys, shared by every replica when Redis is bound (in-process otherwise).
 * Keys are health keys (credential-pool.ts healthKeyOf): a credential id, or `model-config:<id>` for a
 * model's own key.
 */
export interface CredentialHealth {
  /**
   * Puts the key on cooldown until `untilMs` (epoch ms). A cooldown is only ever lengthened: a shorter
   * one recorded meanwhile (a 500 after a 401) leaves the longer in place.
   */
  coolDown(key: string, untilMs: number, status: number): Promise<void>
  /** Ends the key's cooldown at once (an admin reset it). */
  clear(key: string): Promise<void>
  /** The keys among `keys` that are cooling down right now; a key absent from the map is ready. */
  states(keys: readonly string[]): Promise<Map<string, CooldownState>>
}
export const CredentialHealth = token<CredentialHealth>('CredentialHealth')
