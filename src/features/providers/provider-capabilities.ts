import type { CompletionRequest, ProviderKind } from './ai-provider.port.ts'

/**
 * What a provider kind cannot take from a normalised request. The dialects map everything else;
 * a caller that got the request from a client (the relay) refuses these with a 400 naming the
 * client's own field, instead of the dialect dropping them.
 */
export type UnsupportedFeature =
  | 'parallelToolCalls'
  | 'responseFormat'
  | 'topK'
  | 'seed'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'assistantImage'
  | 'toolResultName'

export interface Unsupported {
  feature: UnsupportedFeature
  /** Why, in words a client understands (the caller adds the field name). */
  reason: string
}

const LABEL: Record<ProviderKind, string> = { openai: 'OpenAI', anthropic: 'Anthropic', gemini: 'Gemini' }

const isObjectSchema = (schema: Record<string, unknown>): boolean =>
  schema.type === 'object' || (schema.type === undefined && typeof schema.properties === 'object')

/** The first thing in `request` that `kind` cannot express, or undefined when all of it maps. */
export function unsupportedFeature(kind: ProviderKind, request: Pick<CompletionRequest, 'messages' | 'tools' | 'parallelToolCalls' | 'responseFormat' | 'params'>): Unsupported | undefined {
  const name = LABEL[kind]
  const params = request.params ?? {}
  const hasTools = (request.tools?.length ?? 0) > 0
  if (kind === 'openai' && params.topK !== undefined) return { feature: 'topK', reason: `${name} models have no top-k sampling` }
  if (kind === 'anthropic') {
    for (const feature of ['seed', 'presencePenalty', 'frequencyPenalty'] as const) {
      if (params[feature] !== undefined) return { feature, reason: `${name} models have no ${feature === 'seed' ? 'seed' : 'repetition penalties'}` }
    }
    const format = request.responseFormat
    // JSON mode is a forced tool on Anthropic: it cannot share the answer with the client's own tools.
    if (format && hasTools) return { feature: 'responseFormat', reason: `${name} models answer in JSON through a forced tool, which cannot be combined with tools` }
    if (format?.type === 'json_schema' && !isObjectSchema(format.schema)) return { feature: 'responseFormat', reason: `${name} models take a JSON schema only when it describes an object` }
  }
  if (kind === 'gemini' && request.parallelToolCalls === false && hasTools) return { feature: 'parallelToolCalls', reason: `${name} models cannot be limited to one tool call per answer` }
  if (kind !== 'gemini' && request.messages.some((m) => m.role === 'assistant' && m.parts?.some((p) => p.type === 'image'))) {
    return { feature: 'assistantImage', reason: `${name} models take images only in user turns` }
  }
  if (kind === 'gemini' && request.messages.some((m) => m.parts?.some((p) => p.type === 'tool_result' && !p.name))) {
    return { feature: 'toolResultName', reason: `${name} models match tool results to calls by the tool's name, and no earlier call has this id` }
  }
  return undefined
}
