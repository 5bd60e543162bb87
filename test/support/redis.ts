// A Redis for integration tests: one server per test process (testcontainers when a Docker engine
// answers, else TEST_REDIS_URL), and one key prefix per createTestRedis() call, removed by cleanup().
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { openRedis } from '../../src/shared/infra/redis.ts'

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379'

export interface TestRedis {
  /**
   * A REDIS_URL carrying this run's prefix as `?keyPrefix=` (ioredis reads options from the query):
   * hand it to openRedis() or to a server process. The adapters put the prefix on channels too.
   */
  url: string
  prefix: string
  /** Opens a connection through the production path (openRedis); cleanup() closes it. */
  open(): Promise<Redis>
  /** Keys under this run's prefix, prefix included. */
  keys(): Promise<string[]>
  /** Deletes this run's keys and closes every connection open() gave out. */
  cleanup(): Promise<void>
}

export async function createTestRedis(): Promise<TestRedis> {
  const server = await serverUrl()
  const prefix = `chatbase-test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}:`
  const url = new URL(server)
  url.searchParams.set('keyPrefix', prefix)
  const opened: Redis[] = []

  const withRaw = async <T>(work: (raw: Redis) => Promise<T>): Promise<T> => {
    // No keyPrefix here: SCAN patterns and DEL of scanned names are used verbatim.
    const raw = new Redis(server, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await raw.connect()
      return await work(raw)
    } finally {
      raw.disconnect()
    }
  }
  const keys = () =>
    withRaw(async (raw) => {
      const found: string[] = []
      for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 500 })) found.push(...(batch as string[]))
      return found
    })

  return {
    url: url.toString(),
    prefix,
    async open() {
      const redis = await openRedis(url.toString())
      opened.push(redis)
      return redis
    },
    keys,
    async cleanup() {
      await Promise.all(opened.splice(0).map((r) => r.quit().catch(() => r.disconnect())))
      const names = await keys()
      if (names.length) await withRaw((raw) => raw.del(...names))
    },
  }
}

let server: Promise<string> | undefined

/** Fails loudly, naming what to start, when neither Docker nor TEST_REDIS_URL gives a Redis. */
function serverUrl(): Promise<string> {
  server ??= (async () => {
    const { getContainerRuntimeClient } = await import('testcontainers')
    const dockerAnswers = await getContainerRuntimeClient().then(() => true, () => false)
    if (dockerAnswers) {
      const { RedisContainer } = await import('@testcontainers/redis')
      const container = await new RedisContainer('redis:7-alpine').start()
      return container.getConnectionUrl()
    }
    const url = process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 })
    let cause: unknown
    probe.on('error', (error: unknown) => (cause = error)) // the real reason; connect() only says "Connection is closed"
    try {
      await probe.connect()
      await probe.ping()
    } catch (failure) {
      const error = cause ?? failure
      const { hostname, port } = new URL(url)
      throw new Error(
        `Redis tests need Docker or TEST_REDIS_URL: no Docker engine answers, and ${hostname}:${port || 6379} ` +
          `(TEST_REDIS_URL, default ${DEFAULT_TEST_REDIS_URL}) refused: ${error instanceof Error ? error.message : error}. ` +
          'Start Redis (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no) or run .ci/run.',
        { cause: error },
      )
    } finally {
      probe.disconnect()
    }
    return url
  })()
  return server
}
