import { inject, injectable } from 'tsyringe'
import type { CacheInvalidation, InvalidationListener } from '../cache-invalidation.port.ts'
import { Log, type Logger } from '../logger.ts'
import { InProcessCacheInvalidation } from './in-process-cache-invalidation.ts'
import { RedisClient, type Redis } from './redis.ts'
import { RedisBroadcast } from './redis-subscription.ts'

/**
 * Cache invalidation across replicas: `publish` runs this process's listeners, then broadcasts;
 * every other replica hands the message to its own listeners. Whenever the subscription (re)starts,
 * every listener hears "anything may have changed", so a message lost while the connection was
 * down costs re-reads, not a stale cache.
 */
@injectable()
export class RedisCacheInvalidation implements CacheInvalidation {
  private readonly local = new InProcessCacheInvalidation()
  private readonly broadcast: RedisBroadcast
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) redis: Redis,
    @inject(Log) private readonly log: Logger,
  ) {
    this.broadcast = new RedisBroadcast(
      redis,
      'cache-invalidation',
      { onMessage: (message) => this.receive(message), onSubscribed: () => this.local.deliver(null, null) },
      log,
      'cache invalidations',
    )
    this.ready = this.broadcast.ready
  }

  async publish(topic: string, ids: readonly string[] | null): Promise<void> {
    this.local.deliver(topic, ids)
    await this.broadcast.publish({ topic, ids }, { message: 'could not tell other replicas to drop cached entries; they re-read them within a minute', context: { topic } })
  }

  subscribe(topic: string, listener: InvalidationListener): () => void {
    return this.local.subscribe(topic, listener)
  }

  /** Called by the container's dispose(). */
  async dispose(): Promise<void> {
    await this.broadcast.close()
  }

  private receive(message: Record<string, unknown> | undefined): void {
    const ids = message?.ids
    const valid = typeof message?.topic === 'string' && typeof message.from === 'string' && (ids === null || (Array.isArray(ids) && ids.every((id) => typeof id === 'string')))
    if (!valid) return this.log.warn('ignored a malformed cache invalidation message')
    this.local.deliver(message.topic as string, ids as string[] | null)
  }
}
