import { AsyncLocalStorage } from 'node:async_hooks'
import { inject, injectable } from 'tsyringe'
import type { PrismaClient } from '../../../generated/sqlite/client.ts'
import type { UnitOfWork } from '../../unit-of-work.port.ts'
import { Database } from './database.ts'

interface Scope {
  root: PrismaClient
  tx: PrismaClient
  settled: (() => Promise<void>)[]
}

const scopes = new AsyncLocalStorage<Scope>()

// Prisma's defaults (2 s to start, 5 s to finish) are short for a busy SQLite file.
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 15_000 }

/** The transaction client of the unit of work running here on `root`'s database, if any. */
export function activeTransaction(root: PrismaClient): PrismaClient | undefined {
  const scope = scopes.getStore()
  return scope?.root === root ? scope.tx : undefined
}

/**
 * A transaction client that repositories can use as they use the root client: their own
 * `$transaction(fn)` runs fn inside the unit's transaction instead of opening a second one.
 */
function joinable(tx: PrismaClient): PrismaClient {
  const join = (work: unknown) =>
    typeof work === 'function' ? (work as (client: PrismaClient) => Promise<unknown>)(client) : Promise.all(work as Promise<unknown>[])
  const client: PrismaClient = new Proxy(tx, { get: (target, key, receiver) => (key === '$transaction' ? join : Reflect.get(target, key, receiver)) })
  return client
}

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
