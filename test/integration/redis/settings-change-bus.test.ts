import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisSettingsChangeBus } from '../../../src/features/settings/adapters/redis-settings-change-bus.ts'
import type { SettingsChange } from '../../../src/features/settings/settings-change-bus.port.ts'
import { systemSettingSchemas } from '../../../src/features/settings/settings.ts'
import type { Redis } from '../../../src/shared/infra/redis.ts'
import { capturedLogger } from '../../support/captured-logger.ts'
import { createTestRedis, type TestRedis } from '../../support/redis.ts'
import { ADMIN, startReplicas, type Replica } from './replicas.ts'

const ALL_SYSTEM_KEYS = Object.keys(systemSettingSchemas)
const isResync = (c: SettingsChange) => c.scope === 'system' && c.keys.length === ALL_SYSTEM_KEYS.length

describe('RedisSettingsChangeBus on a real Redis', () => {
  let redis: TestRedis
  let connection: Redis
  const { log, logs } = capturedLogger()
  const buses: RedisSettingsChangeBus[] = []
  const channel = () => `${redis.prefix}chatbase:settings-changed`

  async function bus(on = connection) {
    const made = new RedisSettingsChangeBus(on, log)
    buses.push(made)
    await made.ready
    return made
  }
  /** Listens, ignoring the "re-read everything" each bus sends itself when its subscription starts. */
  function record(target: RedisSettingsChangeBus): SettingsChange[] {
    const seen: SettingsChange[] = []
    target.subscribe((c) => void (isResync(c) || seen.push(c)))
    return seen
  }

  beforeAll(async () => {
    redis = await createTestRedis()
    connection = await redis.open()
  })
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.dispose()))
    await redis?.cleanup()
  })

  it('calls local listeners before publish resolves, and the other replica once, never the sender twice', async () => {
    const [a, b] = [await bus(), await bus()]
    const [seenA, seenB] = [record(a), record(b)]
    const change: SettingsChange = { scope: 'system', keys: ['registration'] }
    await a.publish(change)
    expect(seenA).toEqual([change])
    await expect.poll(() => seenB, { timeout: 1000 }).toEqual([change])
    await new Promise((r) => setTimeout(r, 100))
    expect(seenA).toEqual([change])
  })

  it('sends keys only, in a small envelope with the sender id', async () => {
    const a = await bus()
    const spy = connection.duplicate()
    const raw: string[] = []
    spy.on('message', (_ch: string, message: string) => raw.push(message))
    await spy.subscribe(channel())
    await a.publish({ scope: 'user', userId: 'u-1', keys: ['uiPreferences'] })
    await expect.poll(() => raw.length, { timeout: 1000 }).toBe(1)
    expect(JSON.parse(raw[0]!)).toEqual({ from: expect.any(String), change: { scope: 'user', userId: 'u-1', keys: ['uiPreferences'] } })
    await spy.quit()
  })

  it('ignores malformed messages and drops unknown fields', async () => {
    const b = await bus()
    const seen = record(b)
    for (const junk of ['not json', '{}', JSON.stringify({ from: 'x', change: { scope: 'user', keys: ['a'] } })]) await connection.publish(channel(), junk)
    await connection.publish(channel(), JSON.stringify({ from: 'x', change: { scope: 'system', keys: ['mode'], value: 'secret' } }))
    await expect.poll(() => seen, { timeout: 1000 }).toEqual([{ scope: 'system', keys: ['mode'] }])
    expect(logs.filter((l) => l.includes('malformed settings change')).length).toBeGreaterThanOrEqual(3)
  })

  it('tells its listeners to re-read everything when its subscription (re)starts', async () => {
    const a = await bus()
    const resyncs: SettingsChange[] = []
    a.subscribe((c) => void (isResync(c) && resyncs.push(c)))
    ;(a as unknown as { broadcast: { subscription: { connection: Redis } } }).broadcast.subscription.connection.disconnect(true) // drop the connection; ioredis reconnects
    await expect.poll(() => resyncs.length, { timeout: 5000 }).toBe(1)
  })

  it('still applies the change locally, and logs, when Redis cannot take the message', async () => {
    const closed = await redis.open()
    const a = await bus(closed)
    const seen = record(a)
    closed.disconnect()
    await a.publish({ scope: 'system', keys: ['mode'] })
    expect(seen).toEqual([{ scope: 'system', keys: ['mode'] }])
    expect(logs.some((l) => l.includes('could not publish a settings change'))).toBe(true)
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

describe('settings changed on one replica are seen on the other', () => {
  let cluster: Awaited<ReturnType<typeof startReplicas>>
  let a: Replica
  let b: Replica

  beforeAll(async () => {
    cluster = await startReplicas(2)
    ;[a, b] = cluster.replicas as [Replica, Replica]
  })
  afterAll(() => cluster?.close())

  it('an admin PATCH on A reaches GET /api/settings and the registration gate on B within a second', async () => {
    const admin = await a.login(ADMIN.username, ADMIN.password)
    const registration = async (on: Replica) => (await on.request('GET', '/api/settings', { token: admin })).body.system.registration
    expect(await registration(b)).toBe('open') // B has it cached now

    const patched = await a.request('PATCH', '/api/settings/system', { token: admin, body: { registration: 'closed' } })
    expect(patched.status).toBe(200)
    await expect.poll(() => registration(b), { timeout: 1000, interval: 20 }).toBe('closed')
    expect((await b.request('POST', '/api/auth/register', { body: { username: 'late', password: 'late password 1' } })).status).toBe(403)

    await b.request('PATCH', '/api/settings/system', { token: admin, body: { registration: 'open' } })
    await expect.poll(() => registration(a), { timeout: 1000, interval: 20 }).toBe('open')
    expect((await a.request('POST', '/api/auth/register', { body: { username: 'early', password: 'early password 1' } })).status).toBe(201)
  })

  it('closing a replica closes its subscriber connections (settings and stop requests)', async () => {
    const connection = await cluster.redis.open()
    const channels = ['chatbase:settings-changed', 'chatbase:reply-stop'].map((c) => `${cluster.redis.prefix}${c}`)
    const counts = async () => ((await connection.pubsub('NUMSUB', ...channels)) as (string | number)[]).filter((x) => typeof x === 'number')
    expect(await counts()).toEqual([2, 2])
    await b.close()
    await expect.poll(counts, { timeout: 1000 }).toEqual([1, 1])
  })
})
