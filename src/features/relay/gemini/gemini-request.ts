import { ValidationFailed } from '../../../shared/errors.ts'
import type { UsableModel } from '../../models/model-access.port.ts'
import type { ChatTurn, CompletionRequest, ContentPart, GenerationParams, ResponseFormat, ToolChoice, ToolDefinition } from '../../providers/ai-provider.port.ts'
import { nameToolResults, textOfParts } from '../../providers/content-parts.ts'
import type { RelayCall } from '../relay-call.ts'
import { Untranslatable } from '../relay.errors.ts'
import { assertTranslatable, type FeatureFields } from '../translation-limits.ts'
import { jsonSchemaOf } from './gemini-schema.ts'

/** A Gemini generateContent request as a normalised completion; whatever has no equivalent is a 400 naming the field. */

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(param: string, message: string): never {
  throw new ValidationFailed(`* GenerateContentRequest.${param}: ${message}`, { param })
}

const cannot = (param: string, what = 'has no equivalent outside the Gemini API and cannot be relayed') => new Untranslatable(param, what)

const TOP_LEVEL = new Set(['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig'])

const FIELDS: FeatureFields = {
  parallelToolCalls: 'toolConfig',
  responseFormat: 'generationConfig.responseMimeType',
  topK: 'generationConfig.topK',
  seed: 'generationConfig.seed',
  presencePenalty: 'generationConfig.presencePenalty',
  frequencyPenalty: 'generationConfig.frequencyPenalty',
  assistantImage: 'contents',
  toolResultName: 'contents',
}

/** Pairs function responses with the calls they answer: by id when given, else the earliest unanswered call of that name. */
class CallIds {
  private readonly open: Array<{ id: string; name: string }> = []

  call(id: unknown, name: string, param: string): string {
    const chosen = typeof id === 'string' && id !== '' ? id : `call_${param.replace(/\W+/g, '_')}`
    this.open.push({ id: chosen, name })
    return chosen
  }

  answer(id: unknown, name: string): string {
    const at = typeof id === 'string' && id !== '' ? this.open.findIndex((c) => c.id === id) : this.open.findIndex((c) => c.name === name)
    if (at < 0) return typeof id === 'string' && id !== '' ? id : `call_unmatched_${name}`
    return this.open.splice(at, 1)[0]!.id
  }
}

/** A function response as tool-result text: `{output: text}` as the text, `{error}` as an error, anything else as JSON. */
function resultOf(response: unknown): { content: string; isError?: boolean } {
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))
  if (isRecord(response)) {
    const keys = Object.keys(response)
    if (keys.length === 1 && keys[0] === 'output') return { content: text(response.output) }
    if (keys.length === 1 && keys[0] === 'error') return { content: text(response.error), isError: true }
  }
  return { content: JSON.stringify(response ?? {}) }
}

function imagePart(mimeType: unknown, param: string): string {
  if (typeof mimeType !== 'string' || !mimeType.toLowerCase().startsWith('image/')) {
    throw cannot(`${param}.mimeType`, `only images (image/*) can be relayed, not '${String(mimeType)}'`)
  }
  return mimeType.toLowerCase()
}

function partOf(part: unknown, param: string, role: 'user' | 'assistant', ids: CallIds): ContentPart | undefined {
  if (!isRecord(part)) invalid(param, 'must be an object')
  const known = Object.keys(part).filter((k) => k !== 'thoughtSignature' && k !== 'thought')
  if (known.length !== 1) {
    if (known.length === 0 && part.thought === undefined) invalid(param, 'a part needs exactly one of text, inlineData, fileData, functionCall, functionResponse')
    if (known.length > 1) invalid(param, `a part holds one kind of data, got ${known.join(', ')}`)
  }
  // Thought summaries are the model's, not answer text: no provider takes them back.
  if (part.thought === true) return undefined
  const kind = known[0]!
  const value = part[kind]
  switch (kind) {
    case 'text':
      if (typeof value !== 'string') invalid(`${param}.text`, 'must be a string')
      return { type: 'text', text: value }
    case 'inlineData': {
      if (!isRecord(value) || typeof value.data !== 'string') invalid(`${param}.inlineData.data`, 'must be base64 text')
      return { type: 'image', image: { kind: 'base64', mediaType: imagePart(value.mimeType, `${param}.inlineData`), data: value.data } }
    }
    case 'fileData': {
      if (!isRecord(value) || typeof value.fileUri !== 'string') invalid(`${param}.fileData.fileUri`, 'must be a URI')
      if (!/^(https:|data:)/i.test(value.fileUri)) throw cannot(`${param}.fileData.fileUri`, 'only https: and data: image URLs can be relayed')
      if (value.mimeType !== undefined) imagePart(value.mimeType, `${param}.fileData`)
      return { type: 'image', image: { kind: 'url', url: value.fileUri } }
    }
    case 'functionCall': {
      if (role !== 'assistant') invalid(`${param}.functionCall`, 'function calls belong to model turns')
      if (!isRecord(value) || typeof value.name !== 'string') invalid(`${param}.functionCall.name`, 'is required')
      if (value.args !== undefined && !isRecord(value.args)) invalid(`${param}.functionCall.args`, 'must be an object')
      return { type: 'tool_call', id: ids.call(value.id, value.name, param), name: value.name, arguments: JSON.stringify(value.args ?? {}) }
    }
    case 'functionResponse': {
      if (role !== 'user') invalid(`${param}.functionResponse`, 'function responses belong to user turns')
      if (!isRecord(value) || typeof value.name !== 'string') invalid(`${param}.functionResponse.name`, 'is required')
      return { type: 'tool_result', toolCallId: ids.answer(value.id, value.name), name: value.name, ...resultOf(value.response) }
    }
    default:
      throw cannot(`${param}.${kind}`)
  }
}

function turnsOf(contents: unknown): ChatTurn[] {
  if (!Array.isArray(contents) || contents.length === 0) invalid('contents', 'contents is not specified')
  const ids = new CallIds()
  return contents.map((content, i) => {
    const param = `contents[${i}]`
    if (!isRecord(content)) invalid(param, 'must be an object')
    const role = content.role === undefined || content.role === 'user' ? 'user' : content.role === 'model' ? 'assistant' : invalid(`${param}.role`, 'Please use a valid role: user, model.')
    if (!Array.isArray(content.parts)) invalid(`${param}.parts`, 'must be a list of parts')
    const parts = content.parts.flatMap((part, j) => partOf(part, `${param}.parts[${j}]`, role, ids) ?? [])
    const single = parts.length === 1 && parts[0]!.type === 'text'
    return single ? { role, content: (parts[0] as { text: string }).text } : { role, content: textOfParts(parts), parts }
  })
}

function systemOf(instruction: unknown): string[] {
  if (instruction === undefined || instruction === null) return []
  if (typeof instruction === 'string') return [instruction]
  if (!isRecord(instruction) || !Array.isArray(instruction.parts)) invalid('systemInstruction.parts', 'must be a list of parts')
  return instruction.parts.map((part, j) => {
    if (isRecord(part) && typeof part.text === 'string') return part.text
    throw cannot(`systemInstruction.parts[${j}]`, 'only text can be relayed in a system instruction')
  })
}

const DECLARATION_KEYS = new Set(['name', 'description', 'parameters', 'parametersJsonSchema'])

function toolsOf(tools: unknown): ToolDefinition[] | undefined {
  if (tools === undefined || tools === null) return undefined
  if (!Array.isArray(tools)) invalid('tools', 'must be a list')
  return tools.flatMap((tool, i) => {
    if (!isRecord(tool)) invalid(`tools[${i}]`, 'must be an object')
    const other = Object.keys(tool).find((k) => k !== 'functionDeclarations')
    if (other) throw cannot(`tools[${i}].${other}`, 'only function declarations can be relayed (no built-in tools)')
    const declarations = tool.functionDeclarations
    if (!Array.isArray(declarations)) invalid(`tools[${i}].functionDeclarations`, 'must be a list')
    return declarations.map((d, j): ToolDefinition => {
      const param = `tools[${i}].functionDeclarations[${j}]`
      if (!isRecord(d) || typeof d.name !== 'string' || d.name === '') invalid(`${param}.name`, 'is required')
      const extra = Object.keys(d).find((k) => !DECLARATION_KEYS.has(k))
      if (extra) throw cannot(`${param}.${extra}`)
      const schema = d.parametersJsonSchema ?? (d.parameters === undefined ? undefined : jsonSchemaOf(d.parameters))
      if (schema !== undefined && !isRecord(schema)) invalid(`${param}.parameters`, 'must be a schema object')
      return { name: d.name, ...(typeof d.description === 'string' && { description: d.description }), ...(schema && { parameters: schema }) }
    })
  })
}

function toolChoiceOf(config: unknown): ToolChoice | undefined {
  if (config === undefined || config === null) return undefined
  if (!isRecord(config)) invalid('toolConfig', 'must be an object')
  const other = Object.keys(config).find((k) => k !== 'functionCallingConfig')
  if (other) throw cannot(`toolConfig.${other}`)
  const calling = config.functionCallingConfig
  if (calling === undefined) return undefined
  if (!isRecord(calling)) invalid('toolConfig.functionCallingConfig', 'must be an object')
  const names = calling.allowedFunctionNames
  const allowed = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : []
  const mode = calling.mode ?? 'AUTO'
  if (mode === 'ANY') {
    if (allowed.length > 1) throw cannot('toolConfig.functionCallingConfig.allowedFunctionNames', 'only one allowed function (or none: any function) can be relayed')
    return allowed.length === 1 ? { type: 'tool', name: allowed[0]! } : { type: 'required' }
  }
  if (allowed.length > 0) invalid('toolConfig.functionCallingConfig.allowedFunctionNames', 'may only be set with mode ANY')
  if (mode === 'AUTO' || mode === 'MODE_UNSPECIFIED') return { type: 'auto' }
  if (mode === 'NONE') return { type: 'none' }
  throw cannot('toolConfig.functionCallingConfig.mode', `mode '${String(mode)}' cannot be relayed (AUTO, ANY and NONE can)`)
}

const GENERATION_NUMBERS = { temperature: 'temperature', topP: 'topP', topK: 'topK', seed: 'seed', presencePenalty: 'presencePenalty', frequencyPenalty: 'frequencyPenalty' } as const
const GENERATION_HANDLED = new Set([...Object.keys(GENERATION_NUMBERS), 'maxOutputTokens', 'stopSequences', 'candidateCount', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities'])

function formatOf(config: Json): ResponseFormat | undefined {
  const mime = config.responseMimeType
  const schema = config.responseJsonSchema ?? (config.responseSchema === undefined ? undefined : jsonSchemaOf(config.responseSchema))
  if (mime === undefined || mime === 'text/plain') {
    if (schema !== undefined) invalid('generationConfig.responseSchema', "a response schema needs responseMimeType 'application/json'")
    return undefined
  }
  if (mime !== 'application/json') throw cannot('generationConfig.responseMimeType', `'${String(mime)}' cannot be relayed (text/plain and application/json can)`)
  if (schema === undefined) return { type: 'json_object' }
  if (!isRecord(schema)) invalid('generationConfig.responseJsonSchema', 'must be a schema object')
  return { type: 'json_schema', name: 'response', schema }
}

function paramsOf(config: unknown, defaults: GenerationParams): { params: GenerationParams; responseFormat?: ResponseFormat } {
  const params: GenerationParams = { ...defaults }
  if (config === undefined || config === null) return { params }
  if (!isRecord(config)) invalid('generationConfig', 'must be an object')
  const extra = Object.keys(config).find((k) => !GENERATION_HANDLED.has(k))
  if (extra) throw cannot(`generationConfig.${extra}`)
  for (const [field, key] of Object.entries(GENERATION_NUMBERS)) {
    const value = config[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'number') invalid(`generationConfig.${field}`, 'must be a number')
    params[key] = value
  }
  const stop = config.stopSequences
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) invalid('generationConfig.stopSequences', 'must be a list of strings')
    if (stop.length > 0) params.stop = stop
  }
  if (config.candidateCount !== undefined && config.candidateCount !== 1) throw cannot('generationConfig.candidateCount', 'only one candidate can be relayed')
  const modalities = config.responseModalities
  if (Array.isArray(modalities) && modalities.some((m) => m !== 'TEXT')) throw cannot('generationConfig.responseModalities', 'only TEXT answers can be relayed')
  const responseFormat = formatOf(config)
  return { params, ...(responseFormat && { responseFormat }) }
}

export function geminiToCompletion(call: RelayCall, model: UsableModel): Omit<CompletionRequest, 'signal'> {
  const { config } = model
  const body = call.body
  const extra = Object.keys(body).find((k) => !TOP_LEVEL.has(k))
  if (extra) throw cannot(extra)
  const messages = turnsOf(body.contents)
  nameToolResults(messages)
  const systemParts = systemOf(body.systemInstruction)
  const tools = toolsOf(body.tools)
  const toolChoice = toolChoiceOf(body.toolConfig)
  const { params, responseFormat } = paramsOf(body.generationConfig, config.defaultParams)
  if (call.maxOutputTokens !== undefined) params.maxOutputTokens = call.maxOutputTokens
  const request: Omit<CompletionRequest, 'signal'> = {
    provider: config.providerKind,
    baseUrl: config.baseUrl,
    apiKey: model.apiKey,
    model: config.modelId,
    system: systemParts.length > 0 ? systemParts.join('\n\n') : undefined,
    ...(systemParts.length > 1 && { systemParts }),
    messages,
    ...(tools && tools.length > 0 && { tools }),
    ...(toolChoice && { toolChoice }),
    ...(responseFormat && { responseFormat }),
    maxOutputTokens: config.maxOutputTokens,
    params,
  }
  assertTranslatable(config.providerKind, request, FIELDS)
  return request
}
