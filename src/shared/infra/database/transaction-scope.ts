import { AsyncLocalStorage } from 'node:async_hooks'
import type { PrismaClient } from '../../../generated/sqlite/client.ts'

// The unit of work running in this async context (PrismaUnitOfWork); free of the DI container, so
// open-database.ts (and the CLI scripts using it) need no reflect polyfill.
export interface Scope {
  root: PrismaClient
  tx: PrismaClient
  settled: (() => Promise<void>)[]
}

export const scopes = new AsyncLocalStorage<Scope>()

/** The transaction client of the unit of work running here on `root`'s database, if any. */
export function activeTransaction(root: PrismaClient): PrismaClient | undefined {
  const scope = scopes.getStore()
  return scope?.root === root ? scope.tx : undefined
}

/**
 * A transaction client that repositories can use as they use the root client: their own
 * `$transaction(fn)` runs fn inside the unit's transaction instead of opening a second one.
 */
export function joinable(tx: PrismaClient): PrismaClient {
  const join = (work: unknown) =>
    typeof work === 'function' ? (work as (client: PrismaClient) => Promise<unknown>)(client) : Promise.all(work as Promise<unknown>[])
  const client: PrismaClient = new Proxy(tx, { get: (target, key, receiver) => (key === '$transaction' ? join : Reflect.get(target, key, receiver)) })
  return client
}

