import { token } from './di.ts'

/**
 * Several writes that must be stored together or not at all (a key swap and its audit entry). Every
 * repository call made inside `run` goes through one database transaction; a run inside a run joins
 * the outer one. Keep network calls (provider probes) outside: the transaction holds the database.
 */
export interface UnitOfWork {
  run<T>(work: () => Promise<T>): Promise<T>
  /**
   * Inside `run`: `fn` runs once the unit has ended, committed or rolled back (caches are dropped
   * again then, so nobody keeps a value read mid-transaction). Outside: does nothing, returns false.
   */
  whenSettled(fn: () => Promise<void>): boolean
}
export const UnitOfWork = token<UnitOfWork>('UnitOfWork')
