import bcrypt from 'bcryptjs'
import type { PasswordHasher } from '../password-hasher.port.ts'

/**
 * bcrypt on the calling thread: for use-case tests and one-off tools. The server uses
 * PooledBcryptPasswordHasher (worker threads, bounded queue).
 */
export class BcryptPasswordHasher implements PasswordHasher {
  private readonly dummyHash: string

  constructor(private readonly cost: number) {
    this.dummyHash = bcrypt.hashSync('dummy-password-for-timing', cost)
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost)
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash)
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(password, this.dummyHash)
    return false
  }
}
