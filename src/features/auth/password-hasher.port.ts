import { token } from '../../shared/di.ts'

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, hash: string): Promise<boolean>
  /** Takes as long as a real verify, for unknown usernames: answers must not reveal whether a user exists. */
  verifyAgainstDummy(password: string): Promise<false>
}
export const PasswordHasher = token<PasswordHasher>('PasswordHasher')
