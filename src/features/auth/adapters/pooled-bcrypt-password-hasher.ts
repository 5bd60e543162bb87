import { inject, injectable } from 'tsyringe'
import { token } from '../../../shared/di.ts'
import type { PasswordHasher } from '../password-hasher.port.ts'
import { BcryptWorkerPool } from './bcrypt-worker-pool.ts'

export interface PasswordHashingOptions {
  cost: number
  /** PASSWORD_HASH_WORKERS */
  workers: number
  /** PASSWORD_HASH_QUEUE */
  queueLimit: number
}
export const PasswordHashingOptions = token<PasswordHashingOptions>('PasswordHashingOptions')

/**
 * bcrypt (bcryptjs) on a small pool of worker threads with a bounded queue: a burst of logins
 * neither stalls the event loop (health checks, streams) nor piles up without end; past the queue
 * it is a 503 with retry-after. Class-bound, so container.dispose() at shutdown stops the threads.
 */
@injectable()
export class PooledBcryptPasswordHasher implements PasswordHasher {
  private readonly pool: BcryptWorkerPool

  constructor(@inject(PasswordHashingOptions) private readonly options: PasswordHashingOptions) {
    this.pool = new BcryptWorkerPool({ size: options.workers, queueLimit: options.queueLimit })
  }

  async hash(password: string): Promise<string> {
    return String(await this.pool.run({ op: 'hash', password, cost: this.options.cost }))
  }

  async verify(password: string, hash: string): Promise<boolean> {
    return (await this.pool.run({ op: 'verify', password, hash })) === true
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    await this.pool.run({ op: 'verify-dummy', password, cost: this.options.cost })
    return false
  }

  stats() {
    return this.pool.stats()
  }

  dispose(): Promise<void> {
    return this.pool.close()
  }
}
