import { inject, injectable } from 'tsyringe'
import { AiProvider } from '../providers/ai-provider.port.ts'
import { UpstreamBudget } from '../providers/upstream-budget.ts'
import type { KeyPrincipal } from './api-key-authenticator.port.ts'
import { CLIENT_FORMATS } from './client-formats.ts'
import { relayPassthrough } from './passthrough-flow.ts'
import { ProviderPassthrough } from './provider-passthrough.port.ts'
import { RelayAdmission } from './relay-admission.ts'
import { conversationKey, estimateInputTokens, type RelayCall } from './relay-call.ts'
import type { RelayOutcome } from './relay-flow.ts'
import { upstreamStatusOf } from './relay-meter.ts'
import { RelayOptions } from './relay-options.ts'
import { relayTranslated } from './translate-flow.ts'

export interface RelayCompletionInput {
  principal: KeyPrincipal
  call: RelayCall
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal
}

/**
 * One OpenAI- or Anthropic-format completion for a platform key. Model access, the key's model
 * list, limits and the provider's acceptance are all settled before this returns, so their
 * failures are ordinary HTTP errors; once a stream is returned, failures are events inside it.
 * Same dialect on both sides: pass-through; otherwise translation through the AiProvider port.
 */
@injectable()
export class RelayCompletion {
  constructor(
    @inject(RelayAdmission) private readonly admission: RelayAdmission,
    @inject(ProviderPassthrough) private readonly passthrough: ProviderPassthrough,
    @inject(AiProvider) private readonly provider: AiProvider,
    @inject(RelayOptions) private readonly options: RelayOptions,
  ) {}

  async execute({ principal, call, clientSignal }: RelayCompletionInput): Promise<RelayOutcome> {
    const started = performance.now()
    const model = await this.admission.resolve(principal, call.model, conversationKey(call, principal.keyId))
    const { config } = model
    // Gemini has no pass-through: Gemini clients always go through the provider layer.
    const verbatim = call.dialect === config.providerKind && call.dialect !== 'gemini'
    // Checked before admission: an untranslatable request must not use up a rate-limit slot.
    const translated = verbatim ? undefined : CLIENT_FORMATS[call.dialect].toCompletion(call, model)
    const admission = await this.admission.admit(principal, model, {
      estimatedInputTokens: estimateInputTokens(call),
      maxOutputTokens: Math.min(call.maxOutputTokens ?? config.maxOutputTokens, config.maxOutputTokens),
    })
    const meter = this.admission.meter(principal, config, admission, started)
    const ctx = { call, model, meter, signal: clientSignal, options: this.options, budget: new UpstreamBudget(this.options.maxAttempts) }
    try {
      return translated ? await relayTranslated(this.provider, translated, ctx) : await relayPassthrough(this.passthrough, ctx)
    } catch (err) {
      await meter.finish({ status: clientSignal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, clientSignal.aborted) })
      throw err
    }
  }
}
