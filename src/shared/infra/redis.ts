import type { Redis } from 'ioredis'
import { token } from '../di.ts'

export type { Redis }

/** The shared Redis connection, bound only when REDIS_URL is set. Pub/sub users `duplicate()` it. */
export const RedisClient = token<Redis>('RedisClient')

/** Connects and checks the server answers, so a wrong REDIS_URL fails at start-up, not on first use. */
export async function openRedis(url: string): Promise<Redis> {
  // Loaded only by installs that use Redis: about 9 MB of resident memory otherwise.
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true })
  try {
    await redis.connect()
    await redis.ping()
  } catch (err) {
    redis.disconnect()
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`Cannot reach Redis at REDIS_URL (${reason.replace(/\b[a-z]+:\/\/[^\s]+/gi, '<url>')})`)
  }
  return redis
}
