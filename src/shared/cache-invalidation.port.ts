import { token } from './di.ts'

/** The ids whose cached copies may be stale, or null: anything under the topic may be. */
export type InvalidationListener = (ids: readonly string[] | null) => void

/**
 * "These cached rows changed; drop your copies." Slices that cache what other replicas can change
 * (platform keys, model configs) publish after every write and subscribe to what their caches hold.
 * Messages carry ids, never values, so a late or duplicated one only costs an extra read.
 */
export interface CacheInvalidation {
  /**
   * Listeners in this process have run when it resolves (a read right after a write sees the new
   * value); other replicas hear of it within pub/sub latency. Never rejects: the write it follows is
   * already stored, and a replica that misses a message drops everything when it resubscribes.
   */
  publish(topic: string, ids: readonly string[] | null): Promise<void>
  /** Returns the unsubscribe function. Listeners must be quick and must not throw. */
  subscribe(topic: string, listener: InvalidationListener): () => void
}
export const CacheInvalidation = token<CacheInvalidation>('CacheInvalidation')
