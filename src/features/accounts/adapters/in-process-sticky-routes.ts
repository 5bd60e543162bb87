import type { Clock } from '../../../shared/clock.port.ts'
import type { StickyRoutes } from '../sticky-routes.port.ts'

/** One replica's sticky routes, bounded: the oldest entry goes first when full. */
export class InProcessStickyRoutes implements StickyRoutes {
  private readonly routes = new Map<string, { accountId: string; untilMs: number }>()

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 50_000,
  ) {}

  async get(key: string): Promise<string | null> {
    const route = this.routes.get(key)
    if (!route) return null
    if (route.untilMs > this.clock.now().getTime()) return route.accountId
    this.routes.delete(key)
    return null
  }

  async set(key: string, accountId: string, ttlMs: number): Promise<void> {
    this.routes.delete(key)
    this.routes.set(key, { accountId, untilMs: this.clock.now().getTime() + ttlMs })
    if (this.routes.size > this.maxEntries) this.routes.delete(this.routes.keys().next().value!)
  }
}
