import { inject, injectable } from 'tsyringe'
import type { Actor } from '../../shared/actor.ts'
import { Clock } from '../../shared/clock.port.ts'
import { InvalidAccountInput, OAuthFlowNotFound, type AccountProblem } from './account-admin.errors.ts'
import { baseUrlProblems, proxyProblems } from './account-input.ts'
import { CODE_ASSIST_BASE_URL } from '../providers/provider-catalog.ts'
import { CodeAssistProjects } from './oauth/code-assist-projects.port.ts'
import type { AccountView } from './account-view.ts'
import { CreateAccount } from './create-account.use-case.ts'
import { assertStateMatches, parseCallbackInput } from './oauth/callback-input.ts'
import { OAuthFlowStore, type OAuthFlow } from './oauth/oauth-flow.store.port.ts'
import { OAuthProfiles, type OAuthProviderKind } from './oauth/oauth-profile.ts'
import { OAuthTokenClient } from './oauth/oauth-token-client.port.ts'

export interface FinishOAuthInput {
  actor: Actor
  flowId: string
  /** The code the provider showed (also `code#state`)... */
  code?: string
  /** ...or the whole callback URL the browser landed on. */
  callbackUrl?: string
  /** Override what the flow was started with. */
  name?: string
  proxyUrl?: string
  projectId?: string
  /** Where the account's calls go instead of the provider's default (e.g. a Code Assist mirror). */
  baseUrl?: string
}

const LABELS: Record<OAuthProviderKind, string> = { anthropic: 'Claude', gemini: 'Gemini' }

/** 'Claude account 2026-12-07' */
export const defaultAccountName = (kind: OAuthProviderKind, now: Date): string => `${LABELS[kind]} account ${now.toISOString().slice(0, 10)}`

/**
 * Admin: finishes an authorization-code flow. Everything the admin pasted is checked against the
 * flow first (so a typo can be corrected and sent again); then the flow is taken, once, and the code
 * is exchanged through the flow's proxy (never directly when one is set). The token endpoint's coded
 * failures go through as they are: OAUTH_INVALID_GRANT 400, OAUTH_ENDPOINT_FAILED 502, _TIMEOUT 504.
 */
@injectable()
export class FinishOAuth {
  constructor(
    @inject(OAuthFlowStore) private readonly flows: OAuthFlowStore,
    @inject(OAuthProfiles) private readonly profiles: OAuthProfiles,
    @inject(OAuthTokenClient) private readonly tokenClient: OAuthTokenClient,
    @inject(CreateAccount) private readonly createAccount: CreateAccount,
    @inject(Clock) private readonly clock: Clock,
    @inject(CodeAssistProjects) private readonly projects: CodeAssistProjects,
  ) {}

  async execute(input: FinishOAuthInput): Promise<AccountView> {
    const { actor, flowId } = input
    const pending = await this.flows.peek(flowId)
    if (!this.usable(pending, actor)) throw new OAuthFlowNotFound()

    const problems: AccountProblem[] = []
    if ((input.code === undefined) === (input.callbackUrl === undefined)) {
      problems.push({ path: 'code', message: 'send either code or callbackUrl (one of them)' })
    }
    if (input.name !== undefined && input.name.trim() === '') problems.push({ path: 'name', message: 'must not be empty' })
    if (input.proxyUrl) problems.push(...proxyProblems(input.proxyUrl))
    if (input.baseUrl) problems.push(...baseUrlProblems(input.baseUrl))
    if (input.projectId && pending.providerKind !== 'gemini') problems.push({ path: 'projectId', message: 'applies to gemini accounts only' })
    if (problems.length) throw new InvalidAccountInput(problems)

    const { code, state } = parseCallbackInput(input.callbackUrl !== undefined ? { callbackUrl: input.callbackUrl } : { code: input.code! })
    assertStateMatches(pending, state)

    const flow = await this.flows.take(flowId)
    if (!this.usable(flow, actor)) throw new OAuthFlowNotFound()
    const profile = this.profiles[flow.providerKind]
    const proxyUrl = input.proxyUrl?.trim() || flow.proxyUrl
    const tokens = await this.tokenClient.exchangeCode(profile, { code, verifier: flow.verifier, state: flow.state }, { proxyUrl })
    const projectId = input.projectId ?? (flow.providerKind === 'gemini' ? await this.discoverProject(tokens.accessToken, input.baseUrl, proxyUrl) : null)

    return this.createAccount.execute({
      actor,
      via: 'oauth',
      account: {
        authType: 'oauth',
        providerKind: flow.providerKind,
        name: input.name?.trim() || flow.name || defaultAccountName(flow.providerKind, this.clock.now()),
        proxyUrl,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: tokens.expiresAt,
        scopes: tokens.scopes,
        projectId,
        baseUrl: input.baseUrl ?? null,
      },
    })
  }

  /**
   * The code is spent once exchanged, so a failed lookup must not lose the tokens: the account is
   * created without a project, and an admin sets one with PATCH.
   */
  private async discoverProject(accessToken: string, baseUrl: string | undefined, proxyUrl: string | null): Promise<string | null> {
    try {
      return await this.projects.discover(accessToken, baseUrl ?? CODE_ASSIST_BASE_URL, { proxyUrl })
    } catch {
      return null
    }
  }

  /** Unknown, expired, or another admin's: the same 404. */
  private usable(flow: OAuthFlow | null, actor: Actor): flow is OAuthFlow {
    return flow !== null && flow.createdBy === actor.userId && flow.expiresAt.getTime() > this.clock.now().getTime()
  }
}
