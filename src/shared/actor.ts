/** Who is asking. Carried into every use case by the transport that authenticated the caller. */
export type Role = 'ADMIN' | 'USER'
export interface Actor {
  userId: string
  username: string
  role: Role
  /** Set when the caller authenticated with a platform API key rather than a user session. */
  apiKeyId?: string
}
export const isAdmin = (actor: Actor): boolean => actor.role === 'ADMIN'
