import { ValidationFailed } from '../../../shared/errors.ts'
import type { ChatTurn, ContentPart, GenerationParams, ResponseFormat, ToolChoice, ToolDefinition } from '../../providers/ai-provider.port.ts'
import { parseDataUrl, textOfParts } from '../../providers/content-parts.ts'

/**
 * An OpenAI Responses API request (POST /v1/responses), checked and put in the provider layer's
 * canonical terms. Every field is mapped or refused with a 400 that names it: nothing is dropped
 * silently. `echo` keeps what the Response object repeats back to the client.
 */
export interface ResponsesCall {
  model: string
  stream: boolean
  system?: string
  messages: ChatTurn[]
  tools: ToolDefinition[]
  toolChoice?: ToolChoice
  parallelToolCalls?: boolean
  responseFormat?: ResponseFormat
  params: GenerationParams
  /** Length of the raw body: the prompt-token reservation (chars / 4). */
  bodyChars: number
  /** The client's own conversation id (user, safety_identifier, prompt_cache_key), for sticky accounts. */
  conversationId?: string
  echo: ResponseEcho
}

/** The request fields a Response object reports back. */
export interface ResponseEcho {
  instructions: string | null
  maxOutputTokens: number | null
  temperature: number | null
  topP: number | null
  toolChoice: unknown
  tools: unknown[]
  parallelToolCalls: boolean
  text: { format: unknown }
  user: string | null
  metadata: Record<string, string>
}

type Json = Record<string, unknown>
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function invalid(message: string, param: string | null): never {
  throw new ValidationFailed(message, { param })
}

const unsupported = (what: string, param: string): never => invalid(`${what} is not supported by this server's Responses API`, param)

/** Fields that change nothing we could honour, accepted as they are. */
const FIELDS = new Set([
  'model', 'input', 'instructions', 'stream', 'stream_options', 'max_output_tokens', 'temperature', 'top_p', 'tools', 'tool_choice',
  'parallel_tool_calls', 'text', 'user', 'safety_identifier', 'prompt_cache_key', 'metadata', 'store', 'truncation', 'service_tier',
])

function optionalNumber(body: Json, field: string, check: (n: number) => boolean, rule: string): number | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) invalid(`'${field}' must be ${rule}`, field)
  return value
}

function optionalString(body: Json, field: string): string | undefined {
  const value = body[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') invalid(`'${field}' must be a string`, field)
  return value
}

function imagePart(part: Json, param: string): ContentPart {
  if (typeof part.file_id === 'string') unsupported('Images by file_id', `${param}.file_id`)
  const url = part.image_url
  if (typeof url !== 'string' || url === '') invalid(`'${param}.image_url' must be an image URL or a data URL`, `${param}.image_url`)
  const inline = parseDataUrl(url)
  return { type: 'image', image: inline ? { kind: 'base64', ...inline } : { kind: 'url', url } }
}

/** A message's content as parts; assistant messages carry output_text (and refusals) only. */
function contentParts(content: unknown, role: 'user' | 'assistant' | 'system', param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  if (!Array.isArray(content)) invalid(`'${param}' must be a string or an array of content parts`, param)
  return content.map((part: unknown, j) => {
    const at = `${param}[${j}]`
    if (!isRecord(part) || typeof part.type !== 'string') invalid(`'${at}' must be a content part with a type`, at)
    const text = typeof part.text === 'string' ? part.text : undefined
    if (role === 'assistant') {
      if (part.type === 'output_text' && text !== undefined) return { type: 'text', text }
      if (part.type === 'refusal' && typeof part.refusal === 'string') return { type: 'text', text: part.refusal }
      return invalid(`'${at}.type' must be 'output_text' or 'refusal' in an assistant message`, `${at}.type`)
    }
    if (part.type === 'input_text' && text !== undefined) return { type: 'text', text }
    if (part.type === 'input_image' && role === 'user') return imagePart(part, at)
    if (part.type === 'input_image' || part.type === 'input_file' || part.type === 'input_audio') return unsupported(`Content of type '${part.type}'`, `${at}.type`)
    return invalid(`'${at}.type' must be 'input_text'${role === 'user' ? " or 'input_image'" : ''}`, `${at}.type`)
  })
}

const turnOf = (role: 'user' | 'assistant', parts: ContentPart[]): ChatTurn =>
  parts.every((p) => p.type === 'text') && parts.length === 1 ? { role, content: (parts[0] as { text: string }).text } : { role, content: textOfParts(parts), parts }

/** Appends parts as a turn, joined to the previous turn when it has the same role (tool calls with their text). */
function push(turns: ChatTurn[], role: 'user' | 'assistant', parts: ContentPart[]): void {
  const last = turns.at(-1)
  if (last?.role === role) {
    const merged = [...(last.parts ?? [{ type: 'text' as const, text: last.content }]), ...parts]
    turns[turns.length - 1] = { role, content: textOfParts(merged), parts: merged }
  } else turns.push(turnOf(role, parts))
}

function outputText(output: unknown, param: string): string {
  if (typeof output === 'string') return output
  if (Array.isArray(output) && output.every((p) => isRecord(p) && p.type === 'input_text' && typeof p.text === 'string')) {
    return output.map((p) => (p as { text: string }).text).join('\n')
  }
  return invalid(`'${param}' must be a string or an array of input_text parts`, param)
}

function inputTurns(input: unknown, system: string[]): ChatTurn[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }]
  if (!Array.isArray(input)) invalid("'input' must be a string or an array of input items", 'input')
  const turns: ChatTurn[] = []
  input.forEach((item: unknown, i) => {
    const at = `input[${i}]`
    if (!isRecord(item)) invalid(`'${at}' must be an input item object`, at)
    const type = item.type ?? 'message'
    if (type === 'message') {
      const role = item.role
      if (role === 'system' || role === 'developer') {
        system.push(textOfParts(contentParts(item.content, 'system', `${at}.content`)))
      } else if (role === 'user' || role === 'assistant') push(turns, role, contentParts(item.content, role, `${at}.content`))
      else invalid(`'${at}.role' must be 'user', 'assistant', 'system' or 'developer'`, `${at}.role`)
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || item.call_id === '') invalid(`'${at}.call_id' is required`, `${at}.call_id`)
      if (typeof item.name !== 'string' || item.name === '') invalid(`'${at}.name' is required`, `${at}.name`)
      if (typeof item.arguments !== 'string') invalid(`'${at}.arguments' must be a string of JSON`, `${at}.arguments`)
      push(turns, 'assistant', [{ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments }])
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') invalid(`'${at}.call_id' is required`, `${at}.call_id`)
      push(turns, 'user', [{ type: 'tool_result', toolCallId: item.call_id, content: outputText(item.output, `${at}.output`) }])
    } else unsupported(`Input items of type '${String(type)}'`, `${at}.type`)
  })
  return turns
}

function toolsOf(tools: unknown): ToolDefinition[] {
  if (tools === undefined || tools === null) return []
  if (!Array.isArray(tools)) invalid("'tools' must be an array", 'tools')
  return tools.map((tool: unknown, i) => {
    const at = `tools[${i}]`
    if (!isRecord(tool)) invalid(`'${at}' must be a tool object`, at)
    if (tool.type !== 'function') unsupported(`Tools of type '${String(tool.type)}' (only function tools are)`, `${at}.type`)
    if (typeof tool.name !== 'string' || tool.name === '') invalid(`'${at}.name' is required`, `${at}.name`)
    if (tool.parameters !== undefined && tool.parameters !== null && !isRecord(tool.parameters)) invalid(`'${at}.parameters' must be a JSON Schema object`, `${at}.parameters`)
    if (tool.description !== undefined && tool.description !== null && typeof tool.description !== 'string') invalid(`'${at}.description' must be a string`, `${at}.description`)
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      ...(isRecord(tool.parameters) ? { parameters: tool.parameters } : {}),
    }
  })
}

function toolChoiceOf(choice: unknown): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice }
  if (isRecord(choice) && choice.type === 'function' && typeof choice.name === 'string') return { type: 'tool', name: choice.name }
  return invalid("'tool_choice' must be 'auto', 'none', 'required' or {type: 'function', name}", 'tool_choice')
}

function formatOf(text: unknown): ResponseFormat | undefined {
  if (text === undefined || text === null) return undefined
  if (!isRecord(text)) invalid("'text' must be an object", 'text')
  const extra = Object.keys(text).find((k) => k !== 'format')
  if (extra !== undefined) unsupported(`'text.${extra}'`, `text.${extra}`)
  const format = text.format
  if (format === undefined || format === null) return undefined
  if (!isRecord(format)) invalid("'text.format' must be an object", 'text.format')
  if (format.type === 'text') return undefined
  if (format.type === 'json_object') return { type: 'json_object' }
  if (format.type === 'json_schema') {
    if (!isRecord(format.schema)) invalid("'text.format.schema' must be a JSON Schema object", 'text.format.schema')
    return {
      type: 'json_schema',
      ...(typeof format.name === 'string' ? { name: format.name } : {}),
      schema: format.schema,
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    }
  }
  return invalid("'text.format.type' must be 'text', 'json_object' or 'json_schema'", 'text.format.type')
}

function metadataOf(metadata: unknown): Record<string, string> {
  if (metadata === undefined || metadata === null) return {}
  if (!isRecord(metadata) || !Object.values(metadata).every((v) => typeof v === 'string')) invalid("'metadata' must be an object of strings", 'metadata')
  return metadata as Record<string, string>
}

export function parseResponsesCall(body: unknown, bodyChars: number): ResponsesCall {
  if (!isRecord(body)) invalid('The request body must be a JSON object', null)
  const field = Object.keys(body).find((k) => !FIELDS.has(k) && body[k] !== null && body[k] !== undefined)
  if (field !== undefined) unsupported(`'${field}'`, field)
  if (typeof body.model !== 'string' || body.model === '') invalid("'model' is required", 'model')
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') invalid("'stream' must be a boolean", 'stream')
  if (body.store === true) unsupported("'store: true' (responses are not kept; send the conversation as input)", 'store')
  if (body.truncation !== undefined && body.truncation !== null && body.truncation !== 'disabled') unsupported(`'truncation: ${String(body.truncation)}'`, 'truncation')
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null && typeof body.parallel_tool_calls !== 'boolean') invalid("'parallel_tool_calls' must be a boolean", 'parallel_tool_calls')
  if (body.input === undefined || body.input === null) invalid("'input' is required", 'input')

  const instructions = optionalString(body, 'instructions')
  const system = instructions ? [instructions] : []
  const messages = inputTurns(body.input, system)
  if (!messages.some((m) => m.role === 'user')) invalid("'input' must contain a user message", 'input')
  const maxOutputTokens = optionalNumber(body, 'max_output_tokens', (n) => Number.isInteger(n) && n >= 1, 'a positive integer')
  const temperature = optionalNumber(body, 'temperature', (n) => n >= 0 && n <= 2, 'a number between 0 and 2')
  const topP = optionalNumber(body, 'top_p', (n) => n > 0 && n <= 1, 'a number above 0 and at most 1')
  const tools = toolsOf(body.tools)
  const toolChoice = toolChoiceOf(body.tool_choice)
  const responseFormat = formatOf(body.text)
  const user = optionalString(body, 'user')
  const params: GenerationParams = {
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
  }
  return {
    model: body.model,
    stream: body.stream === true,
    ...(system.length ? { system: system.join('\n\n') } : {}),
    messages,
    tools,
    ...(toolChoice ? { toolChoice } : {}),
    ...(typeof body.parallel_tool_calls === 'boolean' ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    params,
    bodyChars,
    conversationId: user ?? optionalString(body, 'safety_identifier') ?? optionalString(body, 'prompt_cache_key'),
    echo: {
      instructions: instructions ?? null,
      maxOutputTokens: maxOutputTokens ?? null,
      temperature: temperature ?? null,
      topP: topP ?? null,
      toolChoice: body.tool_choice ?? 'auto',
      tools: (body.tools as unknown[] | undefined) ?? [],
      parallelToolCalls: body.parallel_tool_calls !== false,
      text: { format: isRecord(body.text) && isRecord(body.text.format) ? body.text.format : { type: 'text' } },
      user: user ?? null,
      metadata: metadataOf(body.metadata),
    },
  }
}
