import { isAdmin, type Actor, type Role } from '../../shared/actor.ts'
import type { Limits } from '../usage/limits.ts'

/**
 * A platform API key (`sk-<prefix>_<random>`) that lets programs call the relay as its owner. Only
 * HMAC-SHA-256(pepper, secret) is stored; the secret is shown once, at creation or rotation.
 */
export interface PlatformKey {
  id: string
  ownerId: string
  name: string
  /** 8 characters of the secret, shown in lists so people can tell their keys apart. */
  prefix: string
  /** Model config ids or aliases the key may use; empty = every model its owner may use. */
  allowedModels: string[]
  limits: Limits
  expiresAt: Date | null
  revokedAt: Date | null
  lastUsedAt: Date | null
  /** Until then, the secret before the last rotation still works. */
  graceExpiresAt: Date | null
  createdAt: Date
}

export interface NewPlatformKey {
  id: string
  ownerId: string
  name: string
  prefix: string
  hash: string
  allowedModels: string[]
  limits: Limits
  expiresAt: Date | null
}

export interface KeyOwner {
  id: string
  username: string
  role: Role
  disabled: boolean
}

/** A key found by the hash of a presented secret: its current secret, or the one before a rotation. */
export interface KeyMatch {
  key: PlatformKey
  owner: KeyOwner
  matched: 'current' | 'grace'
}

export const PREFIX_LENGTH = 8
export const MAX_GRACE_SECONDS = 7 * 86_400
/** lastUsedAt is written at most this often per key, not on every request. */
export const TOUCH_INTERVAL_MS = 60_000

const SECRET = /^sk-([a-z0-9]{8})_([A-Za-z0-9_-]{43,})$/

export const formatSecret = (prefix: string, random: string): string => `sk-${prefix}_${random}`

/** Whether a string is shaped like one of our secrets: anything else is refused without a lookup. */
export const looksLikeSecret = (secret: string): boolean => SECRET.test(secret)

export type KeyStatus = 'active' | 'expired' | 'revoked'

export function statusOf(key: PlatformKey, now: Date): KeyStatus {
  if (key.revokedAt) return 'revoked'
  if (key.expiresAt && key.expiresAt <= now) return 'expired'
  return 'active'
}

/** Why a matched secret may not be used now, or null when it may. */
export function refusalOf({ key, owner, matched }: KeyMatch, now: Date): string | null {
  const status = statusOf(key, now)
  if (status === 'revoked') return 'This API key has been revoked'
  if (status === 'expired') return 'This API key has expired'
  if (matched === 'grace' && !(key.graceExpiresAt && key.graceExpiresAt > now)) return 'This API key was rotated; use the new secret'
  if (owner.disabled) return "This API key's owner is disabled"
  return null
}

export const needsTouch = (key: PlatformKey, now: Date): boolean =>
  !key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS

/** Owners manage their keys; admins may also list and revoke anyone's. */
export const canRevoke = (actor: Actor, key: PlatformKey): boolean => key.ownerId === actor.userId || isAdmin(actor)

export function publicKey(key: PlatformKey, now: Date) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null)
  return {
    id: key.id,
    ownerId: key.ownerId,
    name: key.name,
    prefix: key.prefix,
    status: statusOf(key, now),
    allowedModels: [...key.allowedModels],
    limits: { ...key.limits },
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
    graceExpiresAt: iso(key.graceExpiresAt),
  }
}
export type PublicPlatformKey = ReturnType<typeof publicKey>
