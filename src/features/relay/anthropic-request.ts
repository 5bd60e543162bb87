import { ValidationFailed } from '../../shared/errors.ts'
import type { UsableModel } from '../models/model-access.port.ts'
import type { ChatTurn, CompletionRequest, ContentPart, GenerationParams, ToolChoice, ToolDefinition } from '../providers/ai-provider.port.ts'
import { nameToolResults, textOfParts } from '../providers/content-parts.ts'
import type { RelayCall } from './relay-call.ts'
import { Untranslatable } from './relay.errors.ts'
import { assertTranslatable, type FeatureFields } from './translation-limits.ts'

/** An Anthropic Messages request as a normalised completion, for a model of another kind. */

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(param: string, message: string): never {
  throw new ValidationFailed(`${param}: ${message}`, { param })
}

const cannot = (param: string, why = 'has no equivalent for this model and cannot be relayed') => new Untranslatable(param, why)

/** Read by the relay itself (routing, limits, sticky accounts) or without effect on the answer. */
const HANDLED = new Set(['model', 'messages', 'max_tokens', 'system', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'tools', 'tool_choice', 'metadata', 'service_tier', 'thinking'])

const FIELDS: FeatureFields = {
  parallelToolCalls: 'tool_choice.disable_parallel_tool_use',
  responseFormat: 'tools',
  topK: 'top_k',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  assistantImage: 'messages',
  toolResultName: 'messages',
}

function imageOf(block: Json, param: string): ContentPart {
  const source = block.source
  if (isRecord(source) && source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return { type: 'image', image: { kind: 'base64', mediaType: source.media_type, data: source.data } }
  }
  if (isRecord(source) && source.type === 'url' && typeof source.url === 'string') return { type: 'image', image: { kind: 'url', url: source.url } }
  throw cannot(`${param}.source`, 'only base64 and url image sources can be relayed')
}

/** A tool result's content as text: a string, or its text blocks joined. */
function resultText(content: unknown, param: string): string {
  if (content === undefined || content === null) return ''
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) invalid(param, 'Input should be a valid string or list of content blocks')
  return content
    .map((block: unknown, i) => {
      if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') return block.text
      throw cannot(`${param}.${i}.type`, 'only text can be relayed inside a tool result')
    })
    .join('\n')
}

// cache_control is a caching hint: other providers cache on their own, so it has no effect to lose.
function blockOf(block: unknown, param: string, role: ChatTurn['role']): ContentPart | undefined {
  if (!isRecord(block)) invalid(param, 'Input should be a valid content block')
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') invalid(`${param}.text`, 'Field required')
      return { type: 'text', text: block.text }
    case 'image':
      return imageOf(block, param)
    case 'tool_use':
      if (role !== 'assistant') invalid(param, 'tool_use blocks belong to assistant turns')
      if (typeof block.id !== 'string' || typeof block.name !== 'string') invalid(param, 'tool_use needs an id and a name')
      return { type: 'tool_call', id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) }
    case 'tool_result':
      if (role !== 'user') invalid(param, 'tool_result blocks belong to user turns')
      if (typeof block.tool_use_id !== 'string') invalid(`${param}.tool_use_id`, 'Field required')
      return { type: 'tool_result', toolCallId: block.tool_use_id, content: resultText(block.content, `${param}.content`), ...(block.is_error === true && { isError: true }) }
    case 'thinking':
    case 'redacted_thinking':
      // The model's own reasoning from an earlier turn: no other provider takes it back.
      if (role === 'assistant') return undefined
      throw cannot(`${param}.type`)
    default:
      throw cannot(`${param}.type`, `content blocks of type '${String(block.type)}' cannot be relayed (text, image, tool_use and tool_result can)`)
  }
}

function turnOf(message: unknown, i: number): ChatTurn {
  if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) invalid(`messages.${i}.role`, "Input should be 'user' or 'assistant'")
  const role = message.role
  const content = message.content
  if (typeof content === 'string') return { role, content }
  if (!Array.isArray(content)) invalid(`messages.${i}.content`, 'Input should be a valid string or list of content blocks')
  const parts = content.flatMap((block, j) => blockOf(block, `messages.${i}.content.${j}`, role) ?? [])
  const only = parts.length === 1 ? parts[0] : undefined
  return only?.type === 'text' ? { role, content: only.text } : { role, content: textOfParts(parts), parts }
}

function systemOf(system: unknown): string[] {
  if (system === undefined || system === null) return []
  if (typeof system === 'string') return system ? [system] : []
  if (!Array.isArray(system)) invalid('system', 'Input should be a valid string or list of text blocks')
  return system.map((block: unknown, i) => {
    if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') return block.text
    throw cannot(`system.${i}.type`, 'only text blocks can be relayed in the system prompt')
  })
}

function toolsOf(tools: unknown): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null) return undefined
  if (!Array.isArray(tools)) invalid('tools', 'Input should be a valid list')
  return tools.map((tool: unknown, i): ToolDefinition => {
    if (!isRecord(tool)) invalid(`tools.${i}`, 'Input should be a valid tool')
    if (tool.type !== undefined && tool.type !== 'custom') throw cannot(`tools.${i}.type`, `server tools ('${String(tool.type)}') cannot be relayed; custom tools can`)
    if (typeof tool.name !== 'string' || tool.name === '') invalid(`tools.${i}.name`, 'Field required')
    if (!isRecord(tool.input_schema)) invalid(`tools.${i}.input_schema`, 'Field required')
    return { name: tool.name, ...(typeof tool.description === 'string' && { description: tool.description }), parameters: tool.input_schema }
  })
}

function toolChoiceOf(choice: unknown): { toolChoice?: ToolChoice; parallel?: boolean } {
  if (choice === undefined || choice === null) return {}
  if (!isRecord(choice)) invalid('tool_choice', 'Input should be an object')
  const parallel = choice.disable_parallel_tool_use === true ? { parallel: false } : {}
  switch (choice.type) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel }
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel }
    case 'none':
      return { toolChoice: { type: 'none' } }
    case 'tool':
      if (typeof choice.name !== 'string') invalid('tool_choice.name', 'Field required')
      return { toolChoice: { type: 'tool', name: choice.name }, ...parallel }
    default:
      invalid('tool_choice.type', "Input should be 'auto', 'any', 'tool' or 'none'")
  }
}

function number(body: Json, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') invalid(field, 'Input should be a valid number')
  return value
}

function paramsOf(body: Json, call: RelayCall, defaults: GenerationParams): GenerationParams {
  const params: GenerationParams = { ...defaults }
  const temperature = number(body, 'temperature')
  const topP = number(body, 'top_p')
  const topK = number(body, 'top_k')
  if (temperature !== undefined) params.temperature = temperature
  if (topP !== undefined) params.topP = topP
  if (topK !== undefined) params.topK = topK
  const stop = body.stop_sequences
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) invalid('stop_sequences', 'Input should be a valid list of strings')
    if (stop.length > 0) params.stop = stop
  }
  if (call.maxOutputTokens !== undefined) params.maxOutputTokens = call.maxOutputTokens
  return params
}

/** Throws a 400 naming the field for whatever the model's kind cannot take; nothing is dropped. */
export function anthropicToCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const body = call.body
  const extra = Object.keys(body).find((k) => !HANDLED.has(k) && body[k] !== null && body[k] !== undefined)
  if (extra) throw cannot(extra)
  if (isRecord(body.thinking) && body.thinking.type !== 'disabled') throw cannot('thinking', 'extended thinking cannot be relayed to a model of another kind')
  const messages = (body.messages as unknown[]).map(turnOf)
  nameToolResults(messages)
  const system = systemOf(body.system)
  const tools = toolsOf(body.tools)
  const { toolChoice, parallel } = toolChoiceOf(body.tool_choice)
  const request: Omit<CompletionRequest, 'signal'> = {
    provider: config.providerKind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    system: system.length > 0 ? system.join('\n\n') : undefined,
    ...(system.length > 1 && { systemParts: system }),
    messages,
    ...(tools && tools.length > 0 && { tools }),
    ...(toolChoice && { toolChoice }),
    ...(parallel !== undefined && { parallelToolCalls: parallel }),
    maxOutputTokens: config.maxOutputTokens,
    params: paramsOf(body, call, config.defaultParams),
  }
  assertTranslatable(config.providerKind, request, FIELDS)
  return request
}
