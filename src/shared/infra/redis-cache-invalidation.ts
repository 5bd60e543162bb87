import { randomUUID } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import type { CacheInvalidation, InvalidationListener } from '../cache-invalidation.port.ts'
import { Log, type Logger } from '../logger.ts'
import { InProcessCacheInvalidation } from './in-process-cache-invalidation.ts'
import { RedisClient, type Redis } from './redis.ts'
import { channelOf, parseMessage, RedisSubscription } from './redis-subscription.ts'

/**
 * Cache invalidation across replicas: `publish` runs this process's listeners, then PUBLISHes;
 * every other replica hands the message to its own listeners (a replica ignores its own messages by
 * instance id). Whenever the subscription (re)starts, every listener hears "anything may have
 * changed", so a message lost while the connection was down costs re-reads, not a stale cache.
 */
@injectable()
export class RedisCacheInvalidation implements CacheInvalidation {
  private readonly local = new InProcessCacheInvalidation()
  private readonly instanceId = randomUUID()
  private readonly channel: string
  private readonly subscription: RedisSubscription
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) private readonly redis: Redis,
    @inject(Log) private readonly log: Logger,
  ) {
    this.channel = channelOf(redis, 'cache-invalidation')
    this.subscription = new RedisSubscription(
      redis,
      [this.channel],
      { onMessage: (_channel, raw) => this.receive(raw), onSubscribed: () => this.local.deliver(null, null) },
      log,
      'cache invalidations',
    )
    this.ready = this.subscription.ready
  }

  async publish(topic: string, ids: readonly string[] | null): Promise<void> {
    this.local.deliver(topic, ids)
    try {
      await this.redis.publish(this.channel, JSON.stringify({ from: this.instanceId, topic, ids }))
    } catch (err) {
      this.log.error({ err, topic }, 'could not tell other replicas to drop cached entries; they re-read them within a minute')
    }
  }

  subscribe(topic: string, listener: InvalidationListener): () => void {
    return this.local.subscribe(topic, listener)
  }

  /** Called by the container's dispose(). */
  async dispose(): Promise<void> {
    await this.subscription.close()
  }

  private receive(raw: string): void {
    const message = parseMessage(raw)
    const ids = message?.ids
    const valid = typeof message?.topic === 'string' && typeof message.from === 'string' && (ids === null || (Array.isArray(ids) && ids.every((id) => typeof id === 'string')))
    if (!valid) return this.log.warn('ignored a malformed cache invalidation message')
    if (message.from !== this.instanceId) this.local.deliver(message.topic as string, ids as string[] | null)
  }
}
