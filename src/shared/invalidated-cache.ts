export interface InvalidatedCacheOptions<V> {
  /**
   * The safety net: an entry is read again after this long even if no invalidation came (a message
   * lost between replicas cannot keep a stale value for longer).
   */
  maxAgeMs: number
  /** The oldest entry goes when a new one would pass this. */
  maxEntries: number
  /** Which loaded values are kept (e.g. not "not found", so a flood of unknown ids cannot evict the rest). */
  keep?: (value: V) => boolean
  /** Milliseconds, for the age check. */
  now: () => number
}

/** The size and age limits a caching repository is built with. */
export type CacheLimits = Pick<InvalidatedCacheOptions<unknown>, 'maxAgeMs' | 'maxEntries'>

interface Entry<V> {
  value: V
  loadedAt: number
}

/**
 * A read-through cache whose entries are dropped by invalidation messages (CacheInvalidation), with
 * an age limit as a safety net. Concurrent misses of one key share a single load. A load that was
 * running when an invalidation arrived answers its callers but is not kept: it may have read the
 * row before the change. Failures are never kept.
 */
export class InvalidatedCache<V> {
  private readonly entries = new Map<string, Entry<V>>()
  private readonly loading = new Map<string, Promise<V>>()
  /** Bumped by every invalidation; a load only stores its value if none came while it ran. */
  private generation = 0

  constructor(private readonly options: InvalidatedCacheOptions<V>) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key)
    if (hit && this.options.now() - hit.loadedAt < this.options.maxAgeMs) return Promise.resolve(hit.value)
    return this.loading.get(key) ?? this.load(key, load)
  }

  /** Drops every entry the predicate picks (and forgets running loads, so the next reader loads anew). */
  drop(picks: (value: V, key: string) => boolean): void {
    this.generation++
    this.loading.clear()
    for (const [key, entry] of this.entries) if (picks(entry.value, key)) this.entries.delete(key)
  }

  clear(): void {
    this.drop(() => true)
  }

  /** Replaces cached values in place (bookkeeping the cache itself caused, such as a last-used time). */
  update(picks: (value: V) => boolean, change: (value: V) => V): void {
    for (const entry of this.entries.values()) if (picks(entry.value)) entry.value = change(entry.value)
  }

  get size(): number {
    return this.entries.size
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const generation = this.generation
    const pending = load().then(
      (value) => {
        this.settle(key, pending)
        if (generation === this.generation) {
          if (this.options.keep?.(value) ?? true) this.store(key, value)
          else this.entries.delete(key) // an expired entry whose row is gone now
        }
        return value
      },
      (err: unknown) => {
        this.settle(key, pending)
        throw err
      },
    )
    this.loading.set(key, pending)
    return pending
  }

  private settle(key: string, pending: Promise<V>): void {
    if (this.loading.get(key) === pending) this.loading.delete(key)
  }

  private store(key: string, value: V): void {
    this.entries.delete(key)
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(key, { value, loadedAt: this.options.now() })
  }
}
