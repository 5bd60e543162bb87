import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { IdGenerator } from '../../shared/ids.ts'
import { maskProxyUrl } from '../../shared/outbound/proxy-url.ts'
import { AuditTrail } from '../audit/audit-trail.port.ts'
import { auditAction, InvalidAccountInput, type AccountProblem } from './account-admin.errors.ts'
import { proxyProblems } from './account-input.ts'
import { OAUTH_FLOW_TTL_MS, OAuthFlowStore } from './oauth/oauth-flow.store.port.ts'
import { OAuthProfiles, type OAuthProviderKind } from './oauth/oauth-profile.ts'
import { authorizeUrlOf } from './oauth/oauth-profiles.ts'
import { PkceSource } from './oauth/pkce.port.ts'

export interface StartOAuthInput {
  actor: Actor
  providerKind: OAuthProviderKind
  /** What the account will be called (default: e.g. 'Claude account 2026-12-07'). */
  name?: string
  /** The proxy the token exchange and the account's calls go through. */
  proxyUrl?: string
}

export interface StartOAuthOutput {
  flowId: string
  /** Open it in a browser, sign in, then paste the code (or the whole callback URL) into the exchange. */
  authorizeUrl: string
  expiresAt: string
}

/**
 * Admin: starts an authorization-code flow with PKCE. The verifier and state stay in the flow store
 * (any replica can finish it) for OAUTH_FLOW_TTL_MS; only the flow id and the authorize URL go out.
 */
@injectable()
export class StartOAuth {
  constructor(
    @inject(OAuthProfiles) private readonly profiles: OAuthProfiles,
    @inject(PkceSource) private readonly pkce: PkceSource,
    @inject(OAuthFlowStore) private readonly flows: OAuthFlowStore,
    @inject(IdGenerator) private readonly ids: IdGenerator,
    @inject(Clock) private readonly clock: Clock,
    @inject(AuditTrail) private readonly audit: AuditTrail,
  ) {}

  async execute({ actor, providerKind, name, proxyUrl }: StartOAuthInput): Promise<StartOAuthOutput> {
    const problems: AccountProblem[] = []
    const profile = (this.profiles as Partial<OAuthProfiles>)[providerKind]
    if (!profile) problems.push({ path: 'providerKind', message: 'has no OAuth sign-in (anthropic and gemini do)' })
    if (name !== undefined && name.trim() === '') problems.push({ path: 'name', message: 'must not be empty' })
    if (proxyUrl) problems.push(...proxyProblems(proxyUrl))
    if (problems.length || !profile) throw new InvalidAccountInput(problems)

    const { verifier, challenge, state } = await this.pkce.create()
    const flowId = this.ids.next()
    const expiresAt = new Date(this.clock.now().getTime() + OAUTH_FLOW_TTL_MS)
    const proxy = proxyUrl?.trim() || null
    await this.flows.save({ flowId, providerKind, state, verifier, name: name?.trim() || null, proxyUrl: proxy, createdBy: actor.userId, expiresAt })
    await this.audit.record({
      actorId: actor.userId,
      action: auditAction('accounts.oauth_authorized'),
      targetType: 'oauth_flow',
      targetId: flowId,
      metadata: { providerKind, name: name?.trim() || null, proxy: proxy ? maskProxyUrl(proxy) : null },
    })
    return { flowId, authorizeUrl: authorizeUrlOf(profile, { state, challenge }), expiresAt: expiresAt.toISOString() }
  }
}
