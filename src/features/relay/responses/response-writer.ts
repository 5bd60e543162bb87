import type { FinishReason, ProviderEvent, TokenUsage } from '../../providers/ai-provider.port.ts'
import type { ResponseEcho } from './responses-request.ts'

/**
 * Builds one Response object from the provider layer's events, and (streaming) the typed SSE
 * events OpenAI sends for it, in OpenAI's order: response.created, response.in_progress, per
 * output item output_item.added -> (message) content_part.added, output_text.delta*,
 * output_text.done, content_part.done / (function call) function_call_arguments.delta*,
 * function_call_arguments.done -> output_item.done, and last response.completed (or
 * response.incomplete, or error + response.failed), every event with its sequence_number.
 */

interface MessageItem {
  id: string
  type: 'message'
  status: 'in_progress' | 'completed' | 'incomplete'
  role: 'assistant'
  content: Array<{ type: 'output_text'; annotations: []; logprobs: []; text: string }>
}
interface FunctionCallItem {
  id: string
  type: 'function_call'
  status: 'in_progress' | 'completed' | 'incomplete'
  arguments: string
  call_id: string
  name: string
}
type OutputItem = MessageItem | FunctionCallItem

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed'

const randomId = (prefix: string) => `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`

export function responsesUsage(u: TokenUsage) {
  const input = u.inputTokens ?? 0
  const output = u.outputTokens ?? 0
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: input + output,
  }
}

const INCOMPLETE: Partial<Record<FinishReason, string>> = { length: 'max_output_tokens', content_filter: 'content_filter' }

export class ResponseWriter {
  private readonly id = randomId('resp')
  private readonly createdAt = Math.floor(Date.now() / 1000)
  private readonly output: OutputItem[] = []
  /** The item deltas go to now; closed (its done events sent) when another one starts. */
  private open: OutputItem | undefined
  /** Output index of each tool call of the answer, by the provider's call index. */
  private readonly calls = new Map<number, number>()
  private sequence = 0
  private status: ResponseStatus = 'in_progress'
  private incomplete: { reason: string } | null = null
  private error: { code: string; message: string } | null = null
  private usage: ReturnType<typeof responsesUsage> | null = null

  constructor(
    private readonly model: string,
    private readonly echo: ResponseEcho,
  ) {}

  /** The Response object as it stands. */
  response() {
    const e = this.echo
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status: this.status,
      background: false,
      error: this.error,
      incomplete_details: this.incomplete,
      instructions: e.instructions,
      max_output_tokens: e.maxOutputTokens,
      max_tool_calls: null,
      model: this.model,
      output: structuredClone(this.output),
      parallel_tool_calls: e.parallelToolCalls,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: false,
      temperature: e.temperature ?? 1,
      text: e.text,
      tool_choice: e.toolChoice,
      tools: e.tools,
      top_logprobs: 0,
      top_p: e.topP ?? 1,
      truncation: 'disabled',
      usage: this.usage,
      user: e.user,
      metadata: e.metadata,
    }
  }

  private event(type: string, fields: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...fields })}\n\n`
  }

  start(): string {
    return this.event('response.created', { response: this.response() }) + this.event('response.in_progress', { response: this.response() })
  }

  /** The SSE events of one provider event ('' for usage and finish, which end() reports). */
  take(event: ProviderEvent): string {
    if (event.type === 'delta') return this.text(event.text)
    if (event.type === 'tool_call') return this.toolCall(event)
    return ''
  }

  private add(item: OutputItem): string {
    const closing = this.close('completed')
    this.output.push(item)
    this.open = item
    return closing + this.event('response.output_item.added', { output_index: this.output.length - 1, item: structuredClone(item) })
  }

  private text(delta: string): string {
    let out = ''
    let item = this.open
    if (item?.type !== 'message') {
      item = { id: randomId('msg'), type: 'message', status: 'in_progress', role: 'assistant', content: [] }
      out += this.add(item)
      const part = { type: 'output_text' as const, annotations: [] as [], logprobs: [] as [], text: '' }
      item.content.push(part)
      out += this.event('response.content_part.added', { item_id: item.id, output_index: this.output.length - 1, content_index: 0, part: structuredClone(part) })
    }
    item.content[0]!.text += delta
    return out + this.event('response.output_text.delta', { item_id: item.id, output_index: this.output.indexOf(item), content_index: 0, delta, logprobs: [] })
  }

  private toolCall(event: Extract<ProviderEvent, { type: 'tool_call' }>): string {
    let out = ''
    let at = this.calls.get(event.index)
    if (at === undefined) {
      out += this.add({ id: randomId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: event.id ?? randomId('call'), name: event.name ?? '' })
      at = this.output.length - 1
      this.calls.set(event.index, at)
    }
    const item = this.output[at] as FunctionCallItem
    if (event.argumentsDelta === '') return out
    item.arguments += event.argumentsDelta
    return out + this.event('response.function_call_arguments.delta', { item_id: item.id, output_index: at, delta: event.argumentsDelta })
  }

  /** The done events of the open item. */
  private close(status: 'completed' | 'incomplete'): string {
    const item = this.open
    if (!item) return ''
    this.open = undefined
    item.status = status
    const output_index = this.output.indexOf(item)
    if (item.type === 'function_call') {
      return (
        this.event('response.function_call_arguments.done', { item_id: item.id, output_index, name: item.name, arguments: item.arguments }) +
        this.event('response.output_item.done', { output_index, item: structuredClone(item) })
      )
    }
    const part = item.content[0]!
    return (
      this.event('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text: part.text, logprobs: [] }) +
      this.event('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: structuredClone(part) }) +
      this.event('response.output_item.done', { output_index, item: structuredClone(item) })
    )
  }

  /** Closes the answer: the last item's done events, `comment`, and response.completed or response.incomplete. */
  end(finish: FinishReason, usage: TokenUsage, comment = ''): string {
    const reason = INCOMPLETE[finish]
    const closing = this.close(reason ? 'incomplete' : 'completed')
    this.usage = responsesUsage(usage)
    this.status = reason ? 'incomplete' : 'completed'
    this.incomplete = reason ? { reason } : null
    return closing + comment + this.event(reason ? 'response.incomplete' : 'response.completed', { response: this.response() })
  }

  /** A failure after the stream started: OpenAI's error event, then response.failed. */
  fail(error: { code: string | null; message: string; param: string | null }, usage: TokenUsage): string {
    this.open = undefined
    for (const item of this.output) if (item.status === 'in_progress') item.status = 'incomplete'
    this.status = 'failed'
    this.usage = responsesUsage(usage)
    this.error = { code: error.code ?? 'server_error', message: error.message }
    return this.event('error', { code: error.code ?? 'server_error', message: error.message, param: error.param }) + this.event('response.failed', { response: this.response() })
  }
}
