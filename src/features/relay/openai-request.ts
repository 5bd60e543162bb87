import { ValidationFailed } from '../../shared/errors.ts'
import type { UsableModel } from '../models/model-access.port.ts'
import type { ChatTurn, CompletionRequest, ContentPart, GenerationParams, ResponseFormat, ToolChoice, ToolDefinition } from '../providers/ai-provider.port.ts'
import { nameToolResults, parseDataUrl, textOfParts } from '../providers/content-parts.ts'
import type { RelayCall } from './relay-call.ts'
import { Untranslatable } from './relay.errors.ts'
import { assertTranslatable, type FeatureFields } from './translation-limits.ts'

/** An OpenAI Chat Completions request as a normalised completion, for a model of another kind. */

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(param: string, message: string): never {
  throw new ValidationFailed(`'${param}' ${message}`, { param })
}

const cannot = (param: string, why = 'has no equivalent for this model and cannot be relayed') => new Untranslatable(param, why)

/** Read by the relay itself (routing, limits, sticky accounts) or without effect on the answer. */
const HANDLED = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'n', 'tools', 'tool_choice',
  'parallel_tool_calls', 'response_format', 'seed', 'presence_penalty', 'frequency_penalty', 'user', 'metadata', 'store', 'service_tier',
  'safety_identifier', 'prompt_cache_key', 'logprobs',
])

const FIELDS: FeatureFields = {
  parallelToolCalls: 'parallel_tool_calls',
  responseFormat: 'response_format',
  topK: 'top_k',
  seed: 'seed',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  assistantImage: 'messages',
  toolResultName: 'messages',
}

function imageOf(part: Json, param: string): ContentPart {
  const image = part.image_url
  const url = isRecord(image) ? image.url : image
  if (typeof url !== 'string') invalid(`${param}.image_url.url`, 'must be a URL')
  const inline = parseDataUrl(url)
  if (inline) return { type: 'image', image: { kind: 'base64', ...inline } }
  if (!/^https?:/i.test(url)) invalid(`${param}.image_url.url`, 'must be an http(s) or data: URL')
  return { type: 'image', image: { kind: 'url', url } }
}

/** A content value as parts: a string is one text part; an array keeps its parts in order. */
function partsOf(content: unknown, param: string, allowImages: boolean): ContentPart[] {
  if (content === null || content === undefined) return []
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  if (!Array.isArray(content)) invalid(param, 'must be a string or an array of content parts')
  return content.map((part: unknown, i): ContentPart => {
    const at = `${param}.${i}`
    // Some clients send plain strings inside the array.
    if (typeof part === 'string') return { type: 'text', text: part }
    if (!isRecord(part)) invalid(at, 'must be a content part object')
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text }
    if (part.type === 'refusal' && typeof part.refusal === 'string') return { type: 'text', text: part.refusal }
    if (part.type === 'image_url' && allowImages) return imageOf(part, at)
    throw cannot(`${at}.type`, `content parts of type '${String(part.type)}' cannot be relayed here (text${allowImages ? ' and image_url' : ''} can)`)
  })
}

function turn(role: ChatTurn['role'], parts: ContentPart[]): ChatTurn {
  const only = parts.length === 1 ? parts[0] : undefined
  return only?.type === 'text' ? { role, content: only.text } : { role, content: textOfParts(parts), parts }
}

function toolCallsOf(calls: unknown, param: string): ContentPart[] {
  if (calls === undefined || calls === null) return []
  if (!Array.isArray(calls)) invalid(param, 'must be an array')
  return calls.map((call: unknown, j): ContentPart => {
    const at = `${param}.${j}`
    if (!isRecord(call) || (call.type !== undefined && call.type !== 'function')) throw cannot(`${at}.type`, 'only function tool calls can be relayed')
    const fn = call.function
    if (typeof call.id !== 'string' || !isRecord(fn) || typeof fn.name !== 'string') invalid(at, 'must have an id and a function name')
    return { type: 'tool_call', id: call.id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) }
  })
}

function conversation(messages: unknown[]): { system: string[]; turns: ChatTurn[] } {
  const system: string[] = []
  const turns: ChatTurn[] = []
  messages.forEach((m, i) => {
    const param = `messages.${i}`
    if (!isRecord(m)) invalid(param, 'must be an object')
    const content = `${param}.content`
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(textOfParts(partsOf(m.content, content, false)))
        return
      case 'user':
        turns.push(turn('user', partsOf(m.content, content, true)))
        return
      case 'assistant': {
        if (m.function_call !== undefined && m.function_call !== null) throw cannot(`${param}.function_call`, 'legacy function calls cannot be relayed; use tool_calls')
        if (m.audio !== undefined && m.audio !== null) throw cannot(`${param}.audio`)
        const parts = [...partsOf(m.content, content, false), ...toolCallsOf(m.tool_calls, `${param}.tool_calls`)]
        turns.push(parts.length === 0 ? { role: 'assistant', content: '' } : turn('assistant', parts))
        return
      }
      case 'tool': {
        if (typeof m.tool_call_id !== 'string') invalid(`${param}.tool_call_id`, 'is required')
        const result = textOfParts(partsOf(m.content, content, false))
        turns.push({ role: 'user', content: result, parts: [{ type: 'tool_result', toolCallId: m.tool_call_id, content: result }] })
        return
      }
      default:
        throw cannot(`${param}.role`, `messages with role '${String(m.role)}' cannot be relayed (system, developer, user, assistant and tool can)`)
    }
  })
  return { system, turns }
}

function toolsOf(tools: unknown): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null) return undefined
  if (!Array.isArray(tools)) invalid('tools', 'must be an array')
  return tools.map((tool: unknown, i): ToolDefinition => {
    if (!isRecord(tool) || tool.type !== 'function') throw cannot(`tools.${i}.type`, 'only function tools can be relayed')
    const fn = tool.function
    if (!isRecord(fn) || typeof fn.name !== 'string' || fn.name === '') invalid(`tools.${i}.function.name`, 'is required')
    if (fn.parameters !== undefined && !isRecord(fn.parameters)) invalid(`tools.${i}.function.parameters`, 'must be a JSON Schema object')
    return { name: fn.name, ...(typeof fn.description === 'string' && { description: fn.description }), ...(fn.parameters !== undefined && { parameters: fn.parameters }) }
  })
}

function toolChoiceOf(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice }
  if (isRecord(choice) && choice.type === 'function' && isRecord(choice.function) && typeof choice.function.name === 'string') return { type: 'tool', name: choice.function.name }
  throw cannot('tool_choice', "only 'auto', 'none', 'required' and a named function can be relayed")
}

function formatOf(format: unknown): ResponseFormat | undefined {
  if (format === undefined || format === null) return undefined
  if (!isRecord(format)) invalid('response_format', 'must be an object')
  if (format.type === 'text') return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type === 'json_schema') {
    const spec = format.json_schema
    if (!isRecord(spec) || !isRecord(spec.schema)) invalid('response_format.json_schema.schema', 'must be a JSON Schema object')
    return { type: 'json_schema', ...(typeof spec.name === 'string' && { name: spec.name }), schema: spec.schema, ...(typeof spec.strict === 'boolean' && { strict: spec.strict }) }
  }
  throw cannot('response_format.type', `'${String(format.type)}' cannot be relayed (text, json_object and json_schema can)`)
}

function number(body: Json, field: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') invalid(field, 'must be a number')
  return value
}

function stopOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value.length ? (value as string[]) : undefined
  invalid('stop', 'must be a string or an array of strings')
}

function paramsOf(body: Json, call: RelayCall, defaults: GenerationParams): GenerationParams {
  const params: GenerationParams = { ...defaults }
  const set = <K extends keyof GenerationParams>(key: K, value: GenerationParams[K] | undefined) => {
    if (value !== undefined) params[key] = value
  }
  set('temperature', number(body, 'temperature'))
  set('topP', number(body, 'top_p'))
  set('stop', stopOf(body.stop))
  set('seed', number(body, 'seed'))
  set('presencePenalty', number(body, 'presence_penalty'))
  set('frequencyPenalty', number(body, 'frequency_penalty'))
  set('maxOutputTokens', call.maxOutputTokens)
  return params
}

/** Throws a 400 naming the field for whatever the model's kind cannot take; nothing is dropped. */
export function openAiToCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const body = call.body
  const extra = Object.keys(body).find((k) => !HANDLED.has(k) && body[k] !== null && body[k] !== undefined)
  if (extra) throw cannot(extra)
  if (typeof body.n === 'number' && body.n > 1) throw cannot('n', 'only one choice can be relayed')
  if (body.logprobs === true) throw cannot('logprobs')
  if (body.store === true) throw cannot('store', 'stored completions are not available through the relay')
  const { system, turns } = conversation(body.messages as unknown[])
  if (!turns.some((t) => t.role === 'user')) invalid('messages', 'must contain a user message')
  nameToolResults(turns)
  const tools = toolsOf(body.tools)
  const toolChoice = toolChoiceOf(body.tool_choice)
  const responseFormat = formatOf(body.response_format)
  const parallel = body.parallel_tool_calls
  if (parallel !== undefined && parallel !== null && typeof parallel !== 'boolean') invalid('parallel_tool_calls', 'must be a boolean')
  const request: Omit<CompletionRequest, 'signal'> = {
    provider: config.providerKind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    system: system.length > 0 ? system.join('\n\n') : undefined,
    ...(system.length > 1 && { systemParts: system }),
    messages: turns,
    ...(tools && tools.length > 0 && { tools }),
    ...(toolChoice && { toolChoice }),
    ...(typeof parallel === 'boolean' && { parallelToolCalls: parallel }),
    ...(responseFormat && { responseFormat }),
    maxOutputTokens: config.maxOutputTokens,
    params: paramsOf(body, call, config.defaultParams),
  }
  assertTranslatable(config.providerKind, request, FIELDS)
  return request
}
