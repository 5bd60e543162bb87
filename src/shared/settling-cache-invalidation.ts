import type { CacheInvalidation, InvalidationListener } from './cache-invalidation.port.ts'
import type { UnitOfWork } from './unit-of-work.port.ts'

/**
 * Invalidations published inside a unit of work go out at once and again when it has ended: a read
 * made meanwhile (here, or on another replica before the commit) may have cached the old row or,
 * after a rollback, one that never was stored.
 */
export class SettlingCacheInvalidation implements CacheInvalidation {
  constructor(
    readonly inner: CacheInvalidation,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async publish(topic: string, ids: readonly string[] | null): Promise<void> {
    await this.inner.publish(topic, ids)
    this.unitOfWork.whenSettled(() => this.inner.publish(topic, ids))
  }

  subscribe(topic: string, listener: InvalidationListener): () => void {
    return this.inner.subscribe(topic, listener)
  }
}
