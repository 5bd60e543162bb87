import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InvalidationListener } from '../../../src/shared/cache-invalidation.port.ts'
import { RedisCacheInvalidation } from '../../../src/shared/infra/redis-cache-invalidation.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { capturedLogger } from '../../support/captured-logger.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'

type Heard = Array<readonly string[] | null>

describe('RedisCacheInvalidation on a real Redis', () => {
  let redis: TestRedis
  let connection: Redis
  const { log, logs } = capturedLogger()
  const buses: RedisCacheInvalidation[] = []
  const channel = () => `${redis.prefix}chatbase:cache-invalidation`

  /** A replica's bus, subscribed (its own "anything may have changed" at subscription is already past). */
  async function bus(on = connection, logger = log) {
    const made = new RedisCacheInvalidation(on, logger)
    buses.push(made)
    await made.ready
    return made
  }
  function record(target: RedisCacheInvalidation, topic: string): Heard {
    const heard: Heard = []
    const listener: InvalidationListener = (ids) => void heard.push(ids)
    target.subscribe(topic, listener)
    return heard
  }
  const subscriberOf = (target: RedisCacheInvalidation) => (target as unknown as { broadcast: { subscription: { connection: Redis } } }).broadcast.subscription.connection

  beforeAll(async () => {
    redis = await createTestRedis()
    connection = await redis.open()
  })
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.dispose()))
    await redis?.cleanup()
  })

  it("delivers A's ids to B's listeners of that topic; A's own listener runs once, before publish resolves", async () => {
    const [a, b] = [await bus(), await bus()]
    const [keysA, keysB, modelsB] = [record(a, 'platform-keys'), record(b, 'platform-keys'), record(b, 'model-configs')]
    await a.publish('platform-keys', ['key-1', 'key-2'])
    expect(keysA).toEqual([['key-1', 'key-2']])
    await expect.poll(() => keysB, { timeout: 1000 }).toEqual([['key-1', 'key-2']])
    await a.publish('model-configs', null)
    await expect.poll(() => modelsB, { timeout: 1000 }).toEqual([null])
    // Time for A's own message to come back from Redis: it must not be delivered a second time.
    await sleep(150)
    expect(keysA).toEqual([['key-1', 'key-2']])
    expect(keysB).toEqual([['key-1', 'key-2']])
  })

  it('goes both ways and reaches every other replica', async () => {
    const [a, b, c] = [await bus(), await bus(), await bus()]
    const [heardA, heardB, heardC] = [record(a, 'users'), record(b, 'users'), record(c, 'users')]
    await b.publish('users', ['u-1'])
    await expect.poll(() => [heardA, heardB, heardC], { timeout: 1000 }).toEqual([[['u-1']], [['u-1']], [['u-1']]])
    await c.publish('users', ['u-2'])
    await expect.poll(() => [heardA, heardB, heardC], { timeout: 1000 }).toEqual([
      [['u-1'], ['u-2']],
      [['u-1'], ['u-2']],
      [['u-1'], ['u-2']],
    ])
  })

  it('sends ids only, in a small envelope with the sender id and topic', async () => {
    const a = await bus()
    const spy = connection.duplicate()
    const raw: string[] = []
    spy.on('message', (_ch: string, message: string) => raw.push(message))
    await spy.subscribe(channel())
    await a.publish('model-configs', ['m-1'])
    await expect.poll(() => raw.length, { timeout: 1000 }).toBe(1)
    expect(JSON.parse(raw[0]!)).toEqual({ from: expect.any(String), topic: 'model-configs', ids: ['m-1'] })
    await spy.quit()
  })

  it('ignores malformed messages, with a warning, and still takes the next good one', async () => {
    // A log of its own: every other bus of this file hears the junk too.
    const own: string[] = []
    const b = await bus(connection, capturedLogger(own).log)
    const heard = record(b, 't')
    const warned = () => own.filter((l) => l.includes('ignored a malformed cache invalidation message')).length
    const junk = [
      'not json',
      '[]',
      '{}',
      JSON.stringify({ topic: 't', ids: ['no-sender'] }),
      JSON.stringify({ from: 'x', ids: ['no-topic'] }),
      JSON.stringify({ from: 'x', topic: 't' }),
      JSON.stringify({ from: 'x', topic: 't', ids: 'one-id' }),
      JSON.stringify({ from: 'x', topic: 't', ids: [1, 2] }),
    ]
    for (const message of junk) await connection.publish(channel(), message)
    await connection.publish(channel(), JSON.stringify({ from: 'another-replica', topic: 't', ids: ['good'] }))
    await expect.poll(() => heard, { timeout: 1000 }).toEqual([['good']])
    await expect.poll(warned, { timeout: 1000 }).toBe(junk.length)
    expect(heard).toEqual([['good']])
  })

  it('tells a listener that subscribed early that anything may have changed, once subscribed', async () => {
    const early = new RedisCacheInvalidation(connection, log)
    buses.push(early)
    const heard = record(early, 'platform-keys')
    await early.ready
    expect(heard).toEqual([null])
  })

  it('tells every listener of every topic that anything may have changed when the subscription restarts', async () => {
    const [a, b] = [await bus(), await bus()]
    const [keysB, modelsB] = [record(b, 'platform-keys'), record(b, 'model-configs')]
    subscriberOf(b).disconnect(true) // drop the connection; ioredis reconnects
    await expect.poll(() => [keysB, modelsB], { timeout: 5000 }).toEqual([[null], [null]])
    // And it listens again afterwards.
    await a.publish('platform-keys', ['after-reconnect'])
    await expect.poll(() => keysB, { timeout: 1000 }).toEqual([null, ['after-reconnect']])
  })

  it('still applies the message locally, and logs, when Redis cannot take it', async () => {
    const closed = await redis.open()
    const a = await bus(closed)
    const heard = record(a, 'platform-keys')
    closed.disconnect()
    await expect(a.publish('platform-keys', ['k'])).resolves.toBeUndefined()
    expect(heard).toEqual([['k']])
    expect(logs.some((l) => l.includes('could not tell other replicas to drop cached entries'))).toBe(true)
  })

  it('closes its subscriber connection on dispose', async () => {
    const count = async () => ((await connection.pubsub('NUMSUB', channel())) as [string, number])[1]
    const before = await count()
    const a = await bus()
    expect(await count()).toBe(before + 1)
    await a.dispose()
    await expect.poll(count, { timeout: 1000 }).toBe(before)
  })
})
