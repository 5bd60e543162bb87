import { token } from '../../../shared/di.ts'
import type { OAuthProviderKind } from './oauth-profile.ts'

/** One authorization in progress: what the exchange needs to finish it. Holds the PKCE verifier: never shown. */
export interface OAuthFlow {
  flowId: string
  providerKind: OAuthProviderKind
  state: string
  verifier: string
  /** What the account will be created with. */
  name: string | null
  proxyUrl: string | null
  createdBy: string
  expiresAt: Date
}

/** Flow state for 10 minutes; in Redis when configured so that any replica can finish a flow. */
export interface OAuthFlowStore {
  save(flow: OAuthFlow): Promise<void>
  /** Removes and returns it (a flow is finished at most once); null when unknown or expired. */
  take(flowId: string): Promise<OAuthFlow | null>
  /** Returns it without removing it; null when unknown or expired. */
  peek(flowId: string): Promise<OAuthFlow | null>
}
export const OAuthFlowStore = token<OAuthFlowStore>('OAuthFlowStore')

export const OAUTH_FLOW_TTL_MS = 10 * 60 * 1000
