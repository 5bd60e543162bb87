import { inject, injectable } from 'tsyringe'
import { TokenCounter } from '../chat/token-counter.port.ts'
import type { UsableModel } from '../models/model-access.port.ts'
import { restrictedOutbound } from '../models/model-config.ts'
import type { CompletionRequest } from '../providers/ai-provider.port.ts'
import { requestFor, runWithFailover } from '../providers/failover.ts'
import { UpstreamTokenCounter } from '../providers/token-count.port.ts'
import { UpstreamBudget } from '../providers/upstream-budget.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { CLIENT_FORMATS } from './client-formats.ts'
import { conversationKey, type RelayCall } from './relay-call.ts'
import { RelayAdmission } from './relay-admission.ts'
import { RelayOptions } from './relay-options.ts'
import { estimateRequestTokens } from './token-estimate.ts'

export interface TokenCount {
  inputTokens: number
  /** false: the provider counted them (exact); true: our tiktoken estimate (the provider has no counting endpoint). */
  estimated: boolean
}

/**
 * Anthropic count_tokens and Gemini countTokens for any model the key may use: the provider counts
 * where it can (Anthropic, Gemini with an API key), from the client's own body when it speaks the
 * model's format; otherwise the request is translated as for a completion (the same 400s) and
 * estimated with tiktoken. Admitted against the key's request limits; no tokens are charged or recorded.
 */
@injectable()
export class CountRelayTokens {
  constructor(
    @inject(RelayAdmission) private readonly admission: RelayAdmission,
    @inject(UpstreamTokenCounter) private readonly upstream: UpstreamTokenCounter,
    @inject(TokenCounter) private readonly tokens: TokenCounter,
    @inject(RelayOptions) private readonly options: RelayOptions,
  ) {}

  async execute(principal: KeyPrincipal, call: RelayCall, signal?: AbortSignal): Promise<TokenCount> {
    const model = await this.admission.resolve(principal, call.model, conversationKey(call, principal.keyId))
    const { config } = model
    const exact = this.upstream.counts({ provider: config.providerKind, authType: model.candidates?.[0]?.authType })
    // The client speaks the model's format: its body goes to the provider's counter as it is.
    const own = exact && call.dialect === config.providerKind
    const request = own ? this.bare(model) : CLIENT_FORMATS[call.dialect].toCompletion(call, model)
    // Counting costs no tokens, but it is a request: it counts against the key's request limits.
    const admission = await this.admission.admit(principal, model, { estimatedInputTokens: 0, maxOutputTokens: 0 })
    try {
      if (!exact) return { inputTokens: estimateRequestTokens(request, this.tokens), estimated: true }
      return { inputTokens: await this.countUpstream(model, request, own ? call.body : undefined, signal), estimated: false }
    } finally {
      await admission.settle({ inputTokens: 0, outputTokens: 0, cachedTokens: 0 }).catch(() => undefined)
    }
  }

  private countUpstream(model: UsableModel, request: Omit<CompletionRequest, 'signal'>, body: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<number> {
    const budget = new UpstreamBudget(this.options.maxAttempts)
    const base = { ...request, restricted: restrictedOutbound(model.config), signal, budget }
    return runWithFailover((c) => this.upstream.count(requestFor(base, c), body), model, { signal, budget })
  }

  /** The request's routing alone, for a body that goes as it is. */
  private bare({ config, apiKey }: UsableModel): Omit<CompletionRequest, 'signal'> {
    return { provider: config.providerKind, baseUrl: config.baseUrl, apiKey, model: config.modelId, messages: [], maxOutputTokens: config.maxOutputTokens }
  }
}
