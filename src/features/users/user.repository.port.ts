import { token } from '../../shared/di.ts'
import type { NewUser, User, UserChanges, UserWithSecret } from './user.ts'

export interface UserPage {
  items: User[]
  total: number
}

export interface UserRepository {
  findById(id: string): Promise<UserWithSecret | null>
  findByUsername(username: string): Promise<UserWithSecret | null>
  /** Throws UsernameTaken on a duplicate username. */
  create(user: NewUser): Promise<User>
  /**
   * Applies the changes atomically. Throws LastAdminError (and changes nothing) when the change would
   * leave no enabled admin, and NotFound when the user does not exist.
   */
  update(id: string, changes: UserChanges): Promise<User>
  /** Deletes the user and, by cascade, everything they own. Same last-admin guard as update. */
  delete(id: string): Promise<void>
  list(query: { search?: string; offset: number; limit: number }): Promise<UserPage>
  count(): Promise<number>
  countEnabledAdmins(): Promise<number>
}
export const UserRepository = token<UserRepository>('UserRepository')

/**
 * CacheInvalidation topic for users (ids are user ids): published after every update and delete, for
 * caches elsewhere that hold a user's role or state (the platform-key cache holds its owner's).
 */
export const USERS_TOPIC = 'users'
