import { randomUUID } from 'node:crypto'
import type { Logger } from '../logger.ts'
import type { Redis } from './redis.ts'

/** A channel name of this install: ioredis applies `keyPrefix` to keys only, so channels get it here. */
export const channelOf = (redis: Redis, name: string): string => `${redis.options.keyPrefix ?? ''}chatbase:${name}`

export interface SubscriptionHandlers {
  onMessage(channel: string, raw: string): void
  /**
   * Runs each time the subscription becomes active: on the first connect and after every
   * reconnect. Pub/sub forgets what it could not deliver, so this is where a cache drops what it
   * may have missed.
   */
  onSubscribed?(): void
}

/**
 * A dedicated subscriber connection (a subscribed connection can do nothing else) for some channels
 * of the shared Redis. `ready` resolves once Redis confirmed the first subscription (tests wait for
 * it; production need not). `close()` belongs in the owner's dispose().
 */
export class RedisSubscription {
  readonly ready: Promise<void>
  private readonly connection: Redis

  constructor(redis: Redis, channels: string[], handlers: SubscriptionHandlers, log: Logger, purpose: string) {
    this.connection = redis.duplicate()
    this.connection.on('message', (channel: string, raw: string) => handlers.onMessage(channel, raw))
    this.connection.on('error', (err: Error) => log.warn({ err }, `${purpose} subscriber: Redis error`))
    let subscribed!: () => void
    this.ready = new Promise((resolve) => (subscribed = resolve))
    // 'ready' fires on the first connect and after every reconnect: subscribe (again; it is idempotent).
    this.connection.on('ready', () => {
      this.connection.subscribe(...channels).then(
        () => {
          handlers.onSubscribed?.()
          subscribed()
        },
        (err: unknown) => log.error({ err }, `could not subscribe to ${purpose}; messages from other replicas will not arrive`),
      )
    })
    // The shared connection is lazy (openRedis), and so is its duplicate until told to connect.
    if (this.connection.status === 'wait') this.connection.connect().catch(() => undefined) // 'error' logs it; ioredis retries
  }

  async close(): Promise<void> {
    await this.connection.quit().catch(() => this.connection.disconnect())
  }
}

/** A JSON object, or undefined for anything else (a malformed message is ignored, never thrown). */
export function parseMessage(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export interface BroadcastHandlers {
  /** A message from another process, parsed (undefined when it was not a JSON object): validate it. */
  onMessage(message: Record<string, unknown> | undefined): void
  /** See SubscriptionHandlers.onSubscribed. */
  onSubscribed(): void
}

/**
 * One channel that every replica publishes to and listens on, for messages that this process has
 * already applied locally: each message carries the sender's instance id, and a replica ignores its
 * own. Publishing never fails the caller (the change is stored and applied here already); a replica
 * that missed messages hears `onSubscribed` when its subscription resumes.
 */
export class RedisBroadcast {
  readonly ready: Promise<void>
  private readonly instanceId = randomUUID()
  private readonly channel: string
  private readonly subscription: RedisSubscription

  constructor(
    private readonly redis: Redis,
    name: string,
    handlers: BroadcastHandlers,
    private readonly log: Logger,
    purpose: string,
  ) {
    this.channel = channelOf(redis, name)
    const onMessage = (_channel: string, raw: string) => {
      const message = parseMessage(raw)
      if (message?.from !== this.instanceId) handlers.onMessage(message)
    }
    this.subscription = new RedisSubscription(redis, [this.channel], { onMessage, onSubscribed: handlers.onSubscribed }, log, purpose)
    this.ready = this.subscription.ready
  }

  /** Sends `message` (plus the sender's id) to the other replicas; a failure is logged with `context`. */
  async publish(message: Record<string, unknown>, failure: { message: string; context: object }): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify({ from: this.instanceId, ...message }))
    } catch (err) {
      this.log.error({ err, ...failure.context }, failure.message)
    }
  }

  close(): Promise<void> {
    return this.subscription.close()
  }
}
