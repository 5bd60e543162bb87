import { inject, injectable } from 'tsyringe'
import type { PrismaClient } from '../../../generated/sqlite/client.ts'
import type { UnitOfWork } from '../../unit-of-work.port.ts'
import { Database } from './database.ts'
import { joinable, scopes, type Scope } from './transaction-scope.ts'

// Prisma's defaults (2 s to start, 5 s to finish) are short for a busy SQLite file.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 }

/** UnitOfWork over Prisma's interactive transactions, carried to the repositories by AsyncLocalStorage. */
@injectable()
export class PrismaUnitOfWork implements UnitOfWork {
  constructor(@inject(Database) private readonly db: Database) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (scopes.getStore()) return work()
    const root = this.db.client
    const settled: Scope['settled'] = []
    try {
      return await root.$transaction((tx) => scopes.run({ root, tx: joinable(tx as PrismaClient), settled }, work), TRANSACTION_OPTIONS)
    } finally {
      for (const fn of settled) await fn().catch(() => {})
    }
  }

  whenSettled(fn: () => Promise<void>): boolean {
    const scope = scopes.getStore()
    scope?.settled.push(fn)
    return scope !== undefined
  }
}
