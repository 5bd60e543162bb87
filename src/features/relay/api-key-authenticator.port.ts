import type { Actor } from '../../shared/actor.ts'
import { token } from '../../shared/di.ts'
import type { Limits } from '../usage/limits.ts'

/** The caller behind a platform API key (`sk-<prefix>_<random>`). */
export interface KeyPrincipal {
  /** The key's owner, with `apiKeyId` set. */
  actor: Actor
  keyId: string
  /** Model config ids or aliases the key may use; empty = every model its owner may use. */
  allowedModels: string[]
  limits: Limits
}

/**
 * Resolves a platform API key by its HMAC (one indexed lookup, no bcrypt). Throws an
 * UNAUTHENTICATED AppError for an unknown, revoked or expired key, or a disabled owner.
 */
export interface ApiKeyAuthenticator {
  authenticate(secret: string): Promise<KeyPrincipal>
}
export const ApiKeyAuthenticator = token<ApiKeyAuthenticator>('ApiKeyAuthenticator')
