import type { Clock } from '../../../../shared/clock.port.ts'
import type { OAuthFlow, OAuthFlowStore } from '../oauth-flow.store.port.ts'

/** One replica's flows (no Redis): expired ones are dropped as new ones arrive, and the map is bounded. */
export class InProcessOAuthFlowStore implements OAuthFlowStore {
  private readonly flows = new Map<string, OAuthFlow>()

  constructor(
    private readonly clock: Clock,
    private readonly maxFlows = 1_000,
  ) {}

  async save(flow: OAuthFlow): Promise<void> {
    this.dropExpired()
    this.flows.set(flow.flowId, { ...flow })
    if (this.flows.size > this.maxFlows) this.flows.delete(this.flows.keys().next().value!)
  }

  async take(flowId: string): Promise<OAuthFlow | null> {
    const flow = await this.peek(flowId)
    this.flows.delete(flowId)
    return flow
  }

  async peek(flowId: string): Promise<OAuthFlow | null> {
    const flow = this.flows.get(flowId)
    if (!flow || this.expired(flow)) return null
    return { ...flow }
  }

  private expired(flow: OAuthFlow): boolean {
    return flow.expiresAt.getTime() <= this.clock.now().getTime()
  }

  private dropExpired(): void {
    for (const [id, flow] of this.flows) if (this.expired(flow)) this.flows.delete(id)
  }
}
