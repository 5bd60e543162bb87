import type { CacheInvalidation, InvalidationListener } from '../cache-invalidation.port.ts'

/** One process, one replica: listeners are called directly. */
export class InProcessCacheInvalidation implements CacheInvalidation {
  private readonly listeners = new Map<string, Set<InvalidationListener>>()

  async publish(topic: string, ids: readonly string[] | null): Promise<void> {
    this.deliver(topic, ids)
  }

  subscribe(topic: string, listener: InvalidationListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const entry: InvalidationListener = (ids) => listener(ids)
    const set = this.listeners.get(topic) ?? new Set()
    this.listeners.set(topic, set)
    set.add(entry)
    return () => void set.delete(entry)
  }

  /** Calls this process's listeners of a topic (every topic for `null`); a failing one does not skip the rest. */
  deliver(topic: string | null, ids: readonly string[] | null): void {
    const sets = topic === null ? [...this.listeners.values()] : [this.listeners.get(topic) ?? new Set()]
    for (const set of sets) {
      for (const listener of [...set]) {
        try {
          listener(ids)
        } catch {
          // A listener only drops cache entries; one that throws must not keep the others stale.
        }
      }
    }
  }
}
