import { token } from '../../shared/di.ts'

/** Ends every login of a user (their refresh-token families). Implemented by the auth slice. */
export interface SessionRevoker {
  revokeAllForUser(userId: string, at: Date): Promise<void>
}
export const SessionRevoker = token<SessionRevoker>('SessionRevoker')
