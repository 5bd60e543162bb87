import type { CooldownState } from './credential-health.port.ts'
import { isCooling, laterOf } from './credential-pool.ts'
import type { ProviderCredential } from './provider-credential.repository.port.ts'

/** A key's health as the admin sees it: the live shared state, or else the persisted row. */
export interface KeyStateView {
  state: 'ready' | 'cooling'
  /** The end of the latest known cooldown (in the past when ready again); null: never cooled down. */
  cooldownUntil: string | null
  /** The status of the failure that caused it (0: network failure). */
  lastStatus: number | null
}

/** A pooled credential for the admin view: never the key, only its last 4 characters. */
export interface PoolCredentialView extends KeyStateView {
  id: string
  label: string
  hint: string
  weight: number
  enabled: boolean
  createdAt: string
}

export function keyStateView(live: CooldownState | undefined, persisted: { cooldownUntil: Date | null; lastStatus: number | null }, nowMs: number): KeyStateView {
  const until = laterOf(live?.cooldownUntilMs ?? null, persisted.cooldownUntil?.getTime() ?? null)
  const liveIsLatest = live !== undefined && live.cooldownUntilMs === until
  return {
    state: isCooling(until, nowMs) ? 'cooling' : 'ready',
    cooldownUntil: until === null ? null : new Date(until).toISOString(),
    lastStatus: liveIsLatest ? live.lastStatus : (persisted.lastStatus ?? live?.lastStatus ?? null),
  }
}

export function poolCredentialView(c: ProviderCredential, live: CooldownState | undefined, nowMs: number): PoolCredentialView {
  return {
    id: c.id,
    label: c.label,
    hint: c.hint,
    weight: c.weight,
    enabled: c.enabled,
    createdAt: c.createdAt.toISOString(),
    ...keyStateView(live, c, nowMs),
  }
}
