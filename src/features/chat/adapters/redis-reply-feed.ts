import { randomUUID } from 'node:crypto'
import { inject, injectable } from 'tsyringe'
import { RedisClient, type Redis } from '../../../shared/infra/redis.ts'
import { channelOf, parseMessage, RedisSubscription } from '../../../shared/infra/redis-subscription.ts'
import { Log, type Logger } from '../../../shared/logger.ts'
import type { ReplyEvent } from '../chat-events.ts'
import { ReplyResumeOptions, type HostedReply, type ReplyFeed } from '../reply-feed.port.ts'
import { isLast, unseen, type FeedEntry, type ReplyPosition, type ReplyRun } from '../reply-run.ts'

/** How long a follower waits for the replica generating the reply to answer. */
export const FOLLOW_ACK_TIMEOUT_MS = 1000
/** Entries go to Redis in batches at most this often (never one round trip per token). */
export const FLUSH_MS = 15
/** A follower elsewhere says it is still there this often (a third of the grace period, if shorter): the replica generating the reply counts it as a follower. */
export const FOLLOW_PING_MS = 2000
/** A mirrored reply's stream lives this long past its last write while it runs (its replica may die). */
const RUNNING_TTL_MS = 60_000

interface Hosted {
  run: ReplyRun
  mirror?: Mirror
  followedAt: number
}

/**
 * Replies followed across replicas through Redis Streams, mirrored only on demand: a replica that
 * generates a reply writes nothing to Redis until a follower on another replica asks for it (pub/sub
 * with an acknowledgement, like stop requests). From then on its entries go to the stream
 * `chatbase:reply-events:<messageId>` (stream ids `0-<seq>`) in pipelined batches every FLUSH_MS,
 * and the follower reads them with a blocking XREAD on its own connection. The follower pings
 * every FOLLOW_PING_MS, which keeps the reply from being abandoned while nobody follows it locally.
 */
@injectable()
export class RedisReplyFeed implements ReplyFeed {
  private readonly instanceId = randomUUID()
  private readonly requests: string
  private readonly acks: string
  private readonly hosted = new Map<string, Hosted>()
  private readonly waiting = new Map<string, () => void>()
  private readonly subscription: RedisSubscription
  private readonly pingMs: number
  readonly ready: Promise<void>

  constructor(
    @inject(RedisClient) private readonly redis: Redis,
    @inject(ReplyResumeOptions) options: ReplyResumeOptions,
    @inject(Log) private readonly log: Logger,
  ) {
    this.pingMs = Math.max(100, Math.min(FOLLOW_PING_MS, Math.floor(options.graceMs / 3)))
    this.requests = channelOf(redis, 'reply-follow')
    this.acks = `${this.requests}:ack:${this.instanceId}`
    this.subscription = new RedisSubscription(redis, [this.requests, this.acks], { onMessage: (channel, raw) => this.receive(channel, raw) }, log, 'reply followers')
    this.ready = this.subscription.ready
  }

  host(run: ReplyRun): HostedReply {
    const hosted: Hosted = { run, followedAt: -Infinity }
    this.hosted.set(run.messageId, hosted)
    return {
      onEntry: (entry) => hosted.mirror?.add([entry]),
      followedElsewhereAgo: () => Date.now() - hosted.followedAt,
      ended: (retainMs) => {
        hosted.mirror?.end(retainMs)
        const forget = () => this.hosted.get(run.messageId) === hosted && this.hosted.delete(run.messageId)
        setTimeout(forget, Math.max(retainMs, FOLLOW_ACK_TIMEOUT_MS)).unref()
      },
    }
  }

  async followElsewhere(messageId: string, from: ReplyPosition, signal: AbortSignal): Promise<AsyncIterable<FeedEntry[]> | null> {
    if (!(await this.ask(messageId))) return null
    return this.read(messageId, from, signal)
  }

  async dispose(): Promise<void> {
    for (const hosted of this.hosted.values()) hosted.mirror?.stop()
    for (const settle of this.waiting.values()) settle()
    await this.subscription.close()
  }

  /** Asks every replica for the reply; true when the one generating it answered. */
  private async ask(messageId: string): Promise<boolean> {
    const requestId = randomUUID()
    let found = false
    const answered = new Promise<void>((settle) => {
      const timer = setTimeout(settle, FOLLOW_ACK_TIMEOUT_MS)
      this.waiting.set(requestId, () => {
        clearTimeout(timer)
        found = true
        settle()
      })
    })
    try {
      await this.ping(messageId, requestId)
      await answered
      return found
    } finally {
      this.waiting.delete(requestId)
    }
  }

  private ping(messageId: string, requestId = ''): Promise<number> {
    return this.redis.publish(this.requests, JSON.stringify({ messageId, requestId, replyTo: this.instanceId }))
  }

  private async *read(messageId: string, from: ReplyPosition, signal: AbortSignal): AsyncGenerator<FeedEntry[]> {
    // A blocking XREAD holds its connection: each follower reads on its own.
    const connection = this.redis.duplicate()
    connection.on('error', (err: Error) => this.log.debug({ err }, 'reply follower connection'))
    const hangUp = () => connection.disconnect()
    signal.addEventListener('abort', hangUp, { once: true })
    const key = streamKey(messageId)
    let at = from
    let pingedAt = Date.now()
    try {
      while (!signal.aborted) {
        // Blocks at most one ping interval, so that the pings keep their pace.
        const answer = (await connection.xread('COUNT', 1000, 'BLOCK', this.pingMs, 'STREAMS', key, `0-${at.seq}`).catch((err: unknown) => {
          if (!signal.aborted) throw err
          return null
        })) as [string, [string, string[]][]][] | null
        if (Date.now() - pingedAt >= this.pingMs) {
          pingedAt = Date.now()
          void this.ping(messageId).catch((err: unknown) => this.log.warn({ err }, 'could not ping the replica of a followed reply'))
        }
        if (!answer) {
          // Nothing new: gone when the stream expired (its replica died, or it ended long ago).
          if (!signal.aborted && (await this.redis.exists(key)) === 0) return
          continue
        }
        const batch = unseen(answer[0]![1].map(toEntry), at)
        if (!batch.length) continue
        const last = batch[batch.length - 1]!
        at = last
        yield batch
        if (isLast(last)) return
      }
    } finally {
      signal.removeEventListener('abort', hangUp)
      connection.disconnect()
    }
  }

  private receive(channel: string, raw: string): void {
    const message = parseMessage(raw)
    if (channel === this.acks && typeof message?.requestId === 'string') return this.waiting.get(message.requestId)?.()
    if (channel !== this.requests || typeof message?.messageId !== 'string' || typeof message.replyTo !== 'string') return
    const hosted = this.hosted.get(message.messageId)
    if (!hosted) return
    hosted.followedAt = Date.now()
    if (!hosted.mirror) {
      hosted.mirror = new Mirror(this.redis, streamKey(message.messageId), this.log)
      // The whole log so far, then every new entry (append() runs on this thread: nothing falls in between).
      hosted.mirror.add(hosted.run.snapshot())
      if (hosted.run.isEnded) hosted.mirror.end(Math.max(this.pingMs * 5, 10_000))
    }
    if (typeof message.requestId === 'string' && message.requestId) {
      this.redis
        .publish(`${this.requests}:ack:${message.replyTo}`, JSON.stringify({ requestId: message.requestId }))
        .catch((err: unknown) => this.log.warn({ err }, 'could not answer a reply follower'))
    }
  }
}

const streamKey = (messageId: string) => `chatbase:reply-events:${messageId}`

/** Writes a reply's entries to its stream in pipelined batches, in order. */
class Mirror {
  private queue: FeedEntry[] = []
  private timer: NodeJS.Timeout | undefined
  private ttlMs = RUNNING_TTL_MS
  private readonly keepAlive: NodeJS.Timeout

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly log: Logger,
  ) {
    // A long silence (a model thinking) must not let the stream expire under its followers.
    this.keepAlive = setInterval(() => void this.redis.pexpire(this.key, this.ttlMs).catch(() => undefined), RUNNING_TTL_MS / 3).unref()
  }

  add(entries: FeedEntry[]): void {
    this.queue.push(...entries)
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  end(retainMs: number): void {
    clearInterval(this.keepAlive)
    this.ttlMs = Math.max(1000, retainMs)
    clearTimeout(this.timer)
    this.flush()
  }

  stop(): void {
    clearInterval(this.keepAlive)
    clearTimeout(this.timer)
  }

  private flush(): void {
    this.timer = undefined
    const batch = this.queue
    this.queue = []
    const pipeline = this.redis.pipeline()
    for (const { seq, chars, event } of batch) pipeline.xadd(this.key, `0-${seq}`, 'e', JSON.stringify({ c: chars, e: event }))
    pipeline.pexpire(this.key, this.ttlMs)
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([err]) => err)
        if (failed) this.log.warn({ err: failed[0] }, 'could not mirror reply events to Redis')
      },
      (err: unknown) => this.log.warn({ err }, 'could not mirror reply events to Redis'),
    )
  }
}

function toEntry([id, fields]: [string, string[]]): FeedEntry {
  const { c, e } = JSON.parse(fields[1]!) as { c: number; e: ReplyEvent }
  return { seq: Number(id.slice(2)), chars: c, event: e }
}
