/**
 * A small in-process cache for lookups the relay repeats on every request. Concurrent misses for
 * one key share a single load; failures are not cached; the oldest entry goes when it is full.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops the cached value and loads it again. */
  refresh(key: string, load: () => Promise<V>): Promise<V> {
    this.entries.delete(key)
    return this.get(key, load)
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load()
    const now = this.now()
    const hit = this.entries.get(key)
    if (hit && hit.expires > now) return hit.value
    if (hit) this.entries.delete(key)
    const value = load()
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key)
    })
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(key, { value, expires: now + this.ttlMs })
    return value
  }
}
