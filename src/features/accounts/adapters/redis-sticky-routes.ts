import type { Redis } from '../../../shared/infra/redis.ts'
import type { StickyRoutes } from '../sticky-routes.port.ts'

/** Sticky routes shared by every replica: one key per conversation, expiring with its TTL. */
export class RedisStickyRoutes implements StickyRoutes {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'chatbase:sticky-account:',
  ) {}

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key)
  }

  async set(key: string, accountId: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, accountId, 'PX', Math.max(1, Math.round(ttlMs)))
  }
}
