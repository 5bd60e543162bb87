import type { Clock } from '../../../../shared/clock.port.ts'
import type { SecretBox } from '../../../../shared/crypto/secret-box.port.ts'
import type { Redis } from '../../../../shared/infra/redis.ts'
import type { OAuthFlow, OAuthFlowStore } from '../oauth-flow.store.port.ts'

type StoredFlow = Omit<OAuthFlow, 'expiresAt'> & { expiresAt: string }

/**
 * Flows shared by every replica, so that any of them can finish one. The value holds the PKCE
 * verifier and possibly a proxy password, so it is sealed with the secret box; Redis expires it.
 * take() is GETDEL: two replicas finishing one flow at once cannot both get it.
 */
export class RedisOAuthFlowStore implements OAuthFlowStore {
  constructor(
    private readonly redis: Redis,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly prefix = 'chatbase:oauth-flow:',
  ) {}

  async save(flow: OAuthFlow): Promise<void> {
    const ttlMs = Math.max(1, flow.expiresAt.getTime() - this.clock.now().getTime())
    const sealed = this.box.seal(JSON.stringify({ ...flow, expiresAt: flow.expiresAt.toISOString() }), this.aad(flow.flowId))
    await this.redis.set(this.prefix + flow.flowId, sealed.ciphertext, 'PX', ttlMs)
  }

  async take(flowId: string): Promise<OAuthFlow | null> {
    return this.parse(flowId, await this.redis.getdel(this.prefix + flowId))
  }

  async peek(flowId: string): Promise<OAuthFlow | null> {
    return this.parse(flowId, await this.redis.get(this.prefix + flowId))
  }

  private parse(flowId: string, value: string | null): OAuthFlow | null {
    if (value === null) return null
    const stored = JSON.parse(this.box.open(value, this.aad(flowId))) as StoredFlow
    const flow = { ...stored, expiresAt: new Date(stored.expiresAt) }
    return flow.expiresAt.getTime() > this.clock.now().getTime() ? flow : null
  }

  private aad(flowId: string): string {
    return `oauth-flow:${flowId}`
  }
}
