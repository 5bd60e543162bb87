import type { Actor, Role } from '../../shared/actor.ts'
import { COMMON_PASSWORDS } from './common-passwords.ts'

export type { Role }

export interface User {
  id: string
  username: string
  role: Role
  disabled: boolean
  mustChangePassword: boolean
  /** Bumped to invalidate every access token of this user at once. */
  tokenVersion: number
  createdAt: Date
  updatedAt: Date
}

export interface UserWithSecret extends User {
  passwordHash: string
}

export interface NewUser {
  id: string
  username: string
  passwordHash: string
  role: Role
  mustChangePassword?: boolean
}

export interface UserChanges {
  role?: Role
  disabled?: boolean
  passwordHash?: string
  mustChangePassword?: boolean
  /** Invalidate all access tokens issued so far. */
  revokeTokens?: boolean
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,63}$/
export const PASSWORD_MIN_LENGTH = 10
/** bcrypt reads at most 72 bytes; longer passwords would be silently truncated, so they are refused. */
export const PASSWORD_MAX_BYTES = 72

/** Usernames are case-insensitive: stored and compared in lower case. */
export const normalizeUsername = (raw: string): string => raw.trim().toLowerCase()

export function usernameProblem(username: string): string | undefined {
  if (!USERNAME_PATTERN.test(username)) {
    return 'must be 3-64 characters: letters, digits, "_", "." or "-", starting with a letter or digit'
  }
  return undefined
}

export function passwordProblem(password: string, username: string): string | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    return `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores anything longer)`
  }
  if (password.toLowerCase() === username.toLowerCase()) return 'must not be the same as the username'
  if (isCommonPassword(password)) return 'is too common: it is on lists of leaked passwords that attackers try first'
  return undefined
}

/** On the bundled list, as is or with digits and symbols around it (`Password123!`, `2024dragon`). */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase()
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, '')
  return COMMON_PASSWORDS.has(lower) || (core.length >= 3 && COMMON_PASSWORDS.has(core))
}

export const toActor = (user: User): Actor => ({ userId: user.id, username: user.username, role: user.role })

/** The public view of a user: never the password hash. */
export function publicUser(user: User) {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    disabled: user.disabled,
    mustChangePassword: user.mustChangePassword,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  }
}
export type PublicUser = ReturnType<typeof publicUser>
