import { randomUUID } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import { channelOf, parseMessage, RedisSubscription } from '../../../shared/infra/redis-subscription.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import { systemSettingSchemas } from '../settings.ts'
import type { SettingsChange, SettingsChangeBus, SettingsChangeListener } from '../settings-change-bus.port.ts'
import { InProcessSettingsChangeBus } from './in-process-settings-change-bus.ts'

/** What crosses the channel: the sender's instance id and the change (keys only, never values). */
interface Envelope {
  from: string
  change: SettingsChange
}

/**
 * Settings changes across replicas. `publish` calls this process's listeners first (so a read right
 * after a write sees the new value), then PUBLISHes; every other replica's subscriber hands the
 * change to its own listeners. A replica ignores its own messages by instance id.
 *
 * Pub/sub forgets what it could not deliver, so whenever the subscription (re)starts this replica
 * tells its listeners "everything may have changed": a message lost while the connection was down
 * costs one extra re-read instead of a stale cache.
 */
@injectable()
export class RedisSettingsChangeBus implements SettingsChangeBus {
  private readonly local = new InProcessSettingsChangeBus()
  private readonly instanceId = randomUUID()
  private readonly channel: string
  private readonly subscription: RedisSubscription
  /** Resolves once the channel subscription is active (tests wait for it; production need not). */
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) private readonly redis: Redis,
    @inject(Log) private readonly log: Logger,
  ) {
    this.channel = channelOf(redis, 'settings-changed')
    this.subscription = new RedisSubscription(
      redis,
      [this.channel],
      // Once (re)subscribed, drop whatever may have been missed while the connection was down.
      { onMessage: (_channel, raw) => this.receive(raw), onSubscribed: () => this.deliver({ scope: 'system', keys: Object.keys(systemSettingSchemas) }) },
      log,
      'settings changes',
    )
    this.ready = this.subscription.ready
  }

  async publish(change: SettingsChange): Promise<void> {
    try {
      await this.local.publish(change)
    } finally {
      await this.broadcast(change)
    }
  }

  subscribe(listener: SettingsChangeListener): () => void {
    return this.local.subscribe(listener)
  }

  /** Called by the container's dispose(): closes the subscriber connection (the shared one is not ours). */
  async dispose(): Promise<void> {
    await this.subscription.close()
  }

  /**
   * The change is already stored and applied here; a Redis failure must not turn it into an error
   * (nor skip the caller's audit record). Other replicas catch up when their subscription resumes.
   */
  private async broadcast(change: SettingsChange): Promise<void> {
    const envelope: Envelope = { from: this.instanceId, change }
    try {
      await this.redis.publish(this.channel, JSON.stringify(envelope))
    } catch (err) {
      this.log.error({ err, scope: change.scope, keys: change.keys }, 'could not publish a settings change to other replicas')
    }
  }

  private receive(raw: string): void {
    const envelope = parseEnvelope(raw)
    if (!envelope) return this.log.warn('ignored a malformed settings change message')
    if (envelope.from !== this.instanceId) this.deliver(envelope.change)
  }

  private deliver(change: SettingsChange): void {
    this.local.publish(change).catch((err: unknown) => this.log.error({ err }, 'a settings change listener failed'))
  }
}

/** Accepts only the shapes the port defines, and rebuilds them so nothing else rides along. */
function parseEnvelope(raw: string): Envelope | undefined {
  const value = parseMessage(raw)
  if (!value || typeof value.from !== 'string' || !isRecord(value.change)) return undefined
  const { scope, keys, userId } = value.change
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return undefined
  if (scope === 'system') return { from: value.from, change: { scope, keys } }
  if (scope === 'user' && typeof userId === 'string') return { from: value.from, change: { scope, userId, keys } }
  return undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
