// How many Redis commands one admitted + settled request costs, watched with MONITOR: round trips
// from the app, and the commands the Lua scripts run inside Redis.
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RedisUsageGate } from '../../src/features/usage/adapters/redis-usage-gate.ts'
import { EffectiveLimits } from '../../src/features/usage/effective-limits.ts'
import { DEFAULT_GATE_OPTIONS } from '../../src/features/usage/gate-options.ts'
import type { Limits } from '../../src/features/usage/limits.ts'
import { InMemoryUsageLog, InMemoryUserLimitsStore, StaticSettings } from '../../src/features/usage/testing/fakes.ts'
import type { Redis } from '../../src/shared/infra/redis.ts'
import { createLogger } from '../../src/shared/logger.ts'
import { ManualClock, SequentialIds } from '../../src/shared/testing/fakes.ts'
import { createTestRedis, type TestRedis } from '../support/redis.ts'

/**
 * MONITOR on a plain socket. ioredis's monitor() can fail with "Command queue state error" when
 * other test files keep Redis busy while it switches modes; a line reader has no such state.
 * A line: `+1700000000.123456 [0 127.0.0.1:5000] "evalsha" "abc" "1" "key"`.
 */
async function watchCommands(url: string, onCommand: (source: string, args: string[]) => void): Promise<Socket> {
  const { hostname, port } = new URL(url)
  const socket = connect({ host: hostname, port: Number(port || 6379) })
  await once(socket, 'connect')
  let buffered = ''
  let confirmed!: () => void
  const ready = new Promise<void>((resolve) => (confirmed = resolve))
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    const lines = buffered.split('\r\n')
    buffered = lines.pop()!
    for (const line of lines) {
      if (line === '+OK') confirmed()
      const command = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line)
      if (!command) continue
      const args = [...command[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'))
      onCommand(command[1]!, args)
    }
  })
  socket.write('MONITOR\r\n')
  await ready
  return socket
}

const ALL: Limits = { requestsPerMinute: 1000, concurrentStreams: 100, tokensPerDay: 1e9, tokensPerMonth: 1e10, costBudgetMicrosPerMonth: 1e12 }

describe('Redis commands per admitted + settled request', () => {
  let redis: TestRedis
  let client: Redis
  let monitor: Socket
  const seen: { source: string; args: string[] }[] = []

  beforeAll(async () => {
    redis = await createTestRedis()
    client = await redis.open()
    monitor = await watchCommands(redis.url, (source, args) => {
      if (args.some((a) => a.includes(redis.prefix))) seen.push({ source, args })
    })
  })
  afterAll(async () => {
    monitor?.destroy()
    await redis?.cleanup()
  })

  async function measure(name: string, userLimits: Limits, keyLimits: Limits | undefined, requests = 10) {
    const clock = new ManualClock(new Date())
    const store = new InMemoryUserLimitsStore()
    store.addUser(name, userLimits)
    const usage = new InMemoryUsageLog()
    const gate = new RedisUsageGate(client, new EffectiveLimits(store, new StaticSettings(), clock), usage, usage, clock, new SequentialIds(name), DEFAULT_GATE_OPTIONS, createLogger('silent'))
    const request = {
      actor: { userId: name, username: name, role: 'USER' as const },
      apiKey: keyLimits ? { id: `${name}-key`, limits: keyLimits } : undefined,
      modelConfigId: 'mc', modelId: 'gpt-4o', source: 'relay' as const, estimatedInputTokens: 200, maxOutputTokens: 300,
    }
    const once = async () => (await gate.admit(request)).settle({ inputTokens: 180, outputTokens: 120 })
    await once() // the first request of the day loads the scripts and creates the counters
    await new Promise((r) => setTimeout(r, 200))
    seen.length = 0
    for (let i = 0; i < requests; i++) await once()
    await new Promise((r) => setTimeout(r, 300)) // MONITOR lines arrive asynchronously
    const roundTrips = seen.filter((c) => !c.source.includes('lua'))
    const inScripts = seen.filter((c) => c.source.includes('lua'))
    const result = {
      scenario: name,
      roundTripsPerRequest: roundTrips.length / requests,
      commandsInScriptsPerRequest: inScripts.length / requests,
      commands: [...new Set(roundTrips.map((c) => c.args[0]!.toLowerCase()))].join(','),
    }
    console.log(JSON.stringify(result))
    return result
  }

  it('needs 2 round trips (one EVALSHA to admit, one to settle) and a bounded number of commands inside them', async () => {
    const worst = await measure('all-limits-user-and-key', ALL, ALL)
    expect(worst.roundTripsPerRequest).toBe(2)
    expect(worst.commands).toBe('evalsha')
    expect(worst.commandsInScriptsPerRequest).toBeLessThanOrEqual(45) // 21 per scope: 14 to admit, 7 to settle

    const rpmOnly = await measure('rpm-only', { requestsPerMinute: 1000 }, undefined)
    expect(rpmOnly.roundTripsPerRequest).toBe(2)
    expect(rpmOnly.commandsInScriptsPerRequest).toBeLessThanOrEqual(10)

    const none = await measure('no-limits', {}, undefined)
    expect(none.roundTripsPerRequest).toBe(2)
  })
})
