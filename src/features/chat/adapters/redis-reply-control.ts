import { randomUUID } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import { channelOf, parseMessage, RedisSubscription } from '../../../shared/infra/redis-subscription.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import type { ReplyScope, StopReason } from '../reply-control.port.ts'
import { InProcessReplyControl } from './in-process-reply-control.ts'

/** How long a stop request waits for the replica that runs the reply to say it stopped it. */
export const STOP_ACK_TIMEOUT_MS = 1000

interface StopRequest {
  requestId: string
  messageId: string
  ownerId: string
  /** The requesting replica's instance id: the acknowledgement goes to its own channel. */
  replyTo: string
  reason?: StopReason
}

/** Stops every reply of an owner (or of one of their sessions): broadcast, nobody acknowledges. */
interface StopAllRequest {
  all: ReplyScope
  reason: StopReason
  replyTo: string
}

const REASONS: readonly StopReason[] = ['stopped', 'deleted', 'abandoned', 'shutdown']

/**
 * Stops replies wherever they run. A reply served here stops at once; otherwise the request is
 * broadcast, the replica that serves it stops it and acknowledges on the requester's own channel.
 * No acknowledgement within STOP_ACK_TIMEOUT_MS means nobody runs it (it ended, or its replica died).
 */
@injectable()
export class RedisReplyControl extends InProcessReplyControl {
  private readonly instanceId = randomUUID()
  private readonly requests: string
  private readonly acks: string
  private readonly subscription: RedisSubscription
  private readonly waiting = new Map<string, (stopped: boolean) => void>()
  ackTimeoutMs = STOP_ACK_TIMEOUT_MS
  /** Resolves once both channels are subscribed (tests wait for it; production need not). */
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) private readonly redis: Redis,
    @inject(Log) private readonly log: Logger,
  ) {
    super()
    this.requests = channelOf(redis, 'reply-stop')
    this.acks = `${this.requests}:ack:${this.instanceId}`
    this.subscription = new RedisSubscription(redis, [this.requests, this.acks], { onMessage: (channel, raw) => this.receive(channel, raw) }, log, 'stop requests')
    this.ready = this.subscription.ready
  }

  override async stop(messageId: string, ownerId: string, reason: StopReason = 'stopped'): Promise<boolean> {
    if (this.stopLocal(messageId, ownerId, reason)) return true
    const request: StopRequest = { requestId: randomUUID(), messageId, ownerId, replyTo: this.instanceId, reason }
    const acknowledged = new Promise<boolean>((settle) => {
      const timer = setTimeout(() => settle(false), this.ackTimeoutMs)
      this.waiting.set(request.requestId, (stopped) => {
        clearTimeout(timer)
        settle(stopped)
      })
    })
    try {
      await this.redis.publish(this.requests, JSON.stringify(request))
      return await acknowledged
    } catch (err) {
      this.log.error({ err, messageId }, 'could not send a stop request to other replicas')
      return false
    } finally {
      this.waiting.delete(request.requestId)
    }
  }

  override async stopAll(scope: ReplyScope, reason: StopReason): Promise<void> {
    this.stopAllLocalIn(scope, reason)
    const request: StopAllRequest = { all: { ownerId: scope.ownerId, sessionId: scope.sessionId }, reason, replyTo: this.instanceId }
    await this.redis.publish(this.requests, JSON.stringify(request))
  }

  /** Called by the container's dispose(): closes the subscriber connection (the shared one is not ours). */
  async dispose(): Promise<void> {
    for (const settle of this.waiting.values()) settle(false)
    await this.subscription.close()
  }

  private receive(channel: string, raw: string): void {
    const message = parseMessage(raw)
    if (channel === this.acks && typeof message?.requestId === 'string') {
      this.waiting.get(message.requestId)?.(message.stopped === true)
    } else if (channel === this.requests && isStopAllRequest(message) && message.replyTo !== this.instanceId) {
      this.stopAllLocalIn(message.all, message.reason)
    } else if (channel === this.requests && isStopRequest(message) && message.replyTo !== this.instanceId) {
      // Only the replica that runs the reply answers; the others stay silent.
      const reason = REASONS.includes(message.reason as StopReason) ? (message.reason as StopReason) : 'stopped'
      if (!this.stopLocal(message.messageId, message.ownerId, reason)) return
      const ack = JSON.stringify({ requestId: message.requestId, stopped: true })
      this.redis
        .publish(`${this.requests}:ack:${message.replyTo}`, ack)
        .catch((err: unknown) => this.log.warn({ err }, 'could not acknowledge a stop request'))
    }
  }
}

function isStopAllRequest(value: Record<string, unknown> | undefined): value is Record<string, unknown> & StopAllRequest {
  const all = value?.all as Record<string, unknown> | undefined
  return (
    !!all &&
    typeof all.ownerId === 'string' &&
    (all.sessionId === undefined || typeof all.sessionId === 'string') &&
    REASONS.includes(value!.reason as StopReason) &&
    typeof value!.replyTo === 'string'
  )
}

function isStopRequest(value: Record<string, unknown> | undefined): value is Record<string, unknown> & StopRequest {
  return !!value && ['requestId', 'messageId', 'ownerId', 'replyTo'].every((k) => typeof value[k] === 'string')
}
