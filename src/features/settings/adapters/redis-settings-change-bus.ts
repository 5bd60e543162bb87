import { inject, injectable } from 'tsyringe'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import { RedisBroadcast } from '../../../shared/infra/redis-subscription.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import { systemSettingSchemas } from '../settings.ts'
import type { SettingsChange, SettingsChangeBus, SettingsChangeListener } from '../settings-change-bus.port.ts'
import { InProcessSettingsChangeBus } from './in-process-settings-change-bus.ts'

/**
 * Settings changes across replicas. `publish` calls this process's listeners first (so a read right
 * after a write sees the new value), then broadcasts it (keys only, never values); every other
 * replica hands the change to its own listeners.
 *
 * Pub/sub forgets what it could not deliver, so whenever the subscription (re)starts this replica
 * tells its listeners "everything may have changed": a message lost while the connection was down
 * costs one extra re-read instead of a stale cache.
 */
@injectable()
export class RedisSettingsChangeBus implements SettingsChangeBus {
  private readonly local = new InProcessSettingsChangeBus()
  private readonly broadcast: RedisBroadcast
  /** Resolves once the channel subscription is active (tests wait for it; production need not). */
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) redis: Redis,
    @inject(Log) private readonly log: Logger,
  ) {
    this.broadcast = new RedisBroadcast(
      redis,
      'settings-changed',
      // Once (re)subscribed, drop whatever may have been missed while the connection was down.
      { onMessage: (message) => this.receive(message), onSubscribed: () => this.deliver({ scope: 'system', keys: Object.keys(systemSettingSchemas) }) },
      log,
      'settings changes',
    )
    this.ready = this.broadcast.ready
  }

  /**
   * The change is applied here first; a Redis failure must not turn it into an error (nor skip the
   * caller's audit record). Other replicas catch up when their subscription resumes.
   */
  async publish(change: SettingsChange): Promise<void> {
    try {
      await this.local.publish(change)
    } finally {
      await this.broadcast.publish({ change }, { message: 'could not publish a settings change to other replicas', context: { scope: change.scope, keys: change.keys } })
    }
  }

  subscribe(listener: SettingsChangeListener): () => void {
    return this.local.subscribe(listener)
  }

  /** Called by the container's dispose(): closes the subscriber connection (the shared one is not ours). */
  async dispose(): Promise<void> {
    await this.broadcast.close()
  }

  private receive(message: Record<string, unknown> | undefined): void {
    const change = changeOf(message)
    if (!change) return this.log.warn('ignored a malformed settings change message')
    this.deliver(change)
  }

  private deliver(change: SettingsChange): void {
    this.local.publish(change).catch((err: unknown) => this.log.error({ err }, 'a settings change listener failed'))
  }
}

/** Accepts only the shapes the port defines, and rebuilds them so nothing else rides along. */
function changeOf(message: Record<string, unknown> | undefined): SettingsChange | undefined {
  if (!message || typeof message.from !== 'string' || !isRecord(message.change)) return undefined
  const { scope, keys, userId } = message.change
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return undefined
  if (scope === 'system') return { scope, keys }
  if (scope === 'user' && typeof userId === 'string') return { scope, userId, keys }
  return undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
