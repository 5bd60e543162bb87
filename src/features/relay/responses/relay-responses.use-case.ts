import { inject, injectable } from 'tsyringe'
import type { UsableModel } from '../../models/model-access.port.ts'
import { AiProvider, type CompletionRequest } from '../../providers/ai-provider.port.ts'
import { nameToolResults } from '../../providers/content-parts.ts'
import { unsupportedFeature, type UnsupportedFeature } from '../../providers/provider-capabilities.ts'
import { UpstreamBudget } from '../../providers/upstream-budget.ts'
import type { KeyPrincipal } from '../api-key-authenticator.port.ts'
import { RelayAdmission } from '../relay-admission.ts'
import { fingerprint } from '../relay-call.ts'
import type { RelayOutcome } from '../relay-flow.ts'
import { upstreamStatusOf } from '../relay-meter.ts'
import { RelayOptions } from '../relay-options.ts'
import { UnsupportedForModel } from '../relay.errors.ts'
import { relayResponses } from './responses-flow.ts'
import type { ResponsesCall } from './responses-request.ts'

export interface RelayResponsesInput {
  principal: KeyPrincipal
  call: ResponsesCall
  clientSignal: AbortSignal
}

/** The Responses API field that asked for what a provider kind cannot do. */
const FIELD: Record<UnsupportedFeature, string> = {
  parallelToolCalls: 'parallel_tool_calls',
  responseFormat: 'text.format',
  topK: 'top_k',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  assistantImage: 'input',
  toolResultName: 'input',
}

/** The completion the provider layer runs for a Responses call (400 for what the model's kind cannot express). */
export function completionOf(call: ResponsesCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const messages = call.messages.map((m) => ({ ...m, ...(m.parts ? { parts: m.parts.map((p) => ({ ...p })) } : {}) }))
  nameToolResults(messages)
  const request = {
    provider: config.providerKind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    ...(call.system ? { system: call.system } : {}),
    messages,
    ...(call.tools.length ? { tools: call.tools } : {}),
    ...(call.toolChoice ? { toolChoice: call.toolChoice } : {}),
    ...(call.parallelToolCalls !== undefined ? { parallelToolCalls: call.parallelToolCalls } : {}),
    ...(call.responseFormat ? { responseFormat: call.responseFormat } : {}),
    maxOutputTokens: config.maxOutputTokens,
    params: { ...config.defaultParams, ...call.params },
  }
  const refused = unsupportedFeature(config.providerKind, request)
  if (refused) throw new UnsupportedForModel(`'${FIELD[refused.feature]}' as sent`, config.providerKind, FIELD[refused.feature], refused.reason)
  return request
}

/**
 * POST /v1/responses for any model the key may use, through the provider layer: model, limits and
 * the provider's acceptance are settled before this returns (ordinary HTTP errors); once a stream
 * is returned, failures are events inside it. Usage is metered like /v1/chat/completions.
 */
@injectable()
export class RelayResponses {
  constructor(
    @inject(RelayAdmission) private readonly admission: RelayAdmission,
    @inject(AiProvider) private readonly provider: AiProvider,
    @inject(RelayOptions) private readonly options: RelayOptions,
  ) {}

  async execute({ principal, call, clientSignal }: RelayResponsesInput): Promise<RelayOutcome> {
    const started = performance.now()
    const model = await this.admission.resolve(principal, call.model, stickyKey(call, principal.keyId))
    const request = completionOf(call, model)
    const { config } = model
    const estimatedInputTokens = Math.max(1, Math.ceil(call.bodyChars / 4))
    const maxOutput = call.params.maxOutputTokens
    const admission = await this.admission.admit(principal, model, {
      estimatedInputTokens,
      maxOutputTokens: Math.min(maxOutput ?? config.maxOutputTokens, config.maxOutputTokens),
    })
    const meter = this.admission.meter(principal, config, admission, started)
    const ctx = { call, model, meter, signal: clientSignal, options: this.options, budget: new UpstreamBudget(this.options.maxAttempts), estimatedInputTokens }
    try {
      return await relayResponses(this.provider, request, ctx)
    } catch (err) {
      await meter.finish({ status: clientSignal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, clientSignal.aborted) })
      throw err
    }
  }
}

/** The client's conversation id, else the instructions and first user turn, which stay the same for every turn. */
function stickyKey(call: ResponsesCall, keyId: string): string {
  if (call.conversationId) return `${keyId}:u:${fingerprint(call.conversationId)}`
  const firstUser = call.messages.find((m) => m.role === 'user')?.content ?? ''
  return `${keyId}:c:${fingerprint(`${(call.system ?? '').slice(0, 2_000)}\u0000${firstUser.slice(0, 2_000)}`)}`
}
