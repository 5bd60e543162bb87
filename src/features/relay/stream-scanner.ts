import type { TokenUsage } from '../providers/ai-provider.port.ts'
import type { ClientDialect } from './relay-call.ts'
import { anthropicUsage, openAiUsage } from './wire-usage.ts'

/** What the relay learns from a stream it forwards. */
export interface StreamTally {
  usage?: TokenUsage
  /** The provider sent its own in-stream error (forwarded as is: it is already in the client's dialect). */
  error?: string
  /** The dialect's terminator arrived (`data: [DONE]` / `message_stop`). */
  ended: boolean
  /** Chunks (OpenAI) or delta events (Anthropic) seen: a rough output-token estimate when the stream stops before its usage. */
  deltas: number
}

export interface ScannerOptions {
  /** OpenAI: drop the usage-only chunk (the relay asked for it; the client did not). */
  stripUsage: boolean
  /** Text inserted just before the terminator (the overhead comment). */
  beforeEnd: () => string
  onFirstToken: () => void
}

const NL2 = Buffer.from('\n\n')
const CRLF2 = Buffer.from('\r\n\r\n')
const CR2 = Buffer.from('\r\r')

// Needles as bytes: Buffer#includes with a Buffer skips encoding the string on every call.
const DONE = Buffer.from('[DONE]')
const ERROR = Buffer.from('"error"')
const USAGE = Buffer.from('"usage":')

/** End of the last complete event (after its blank line), or -1. Accepts \n, \r\n and \r framing. */
function lastBoundaryEnd(buf: Buffer): number {
  const length = buf.length
  if (buf[length - 1] === 0x0a && buf[length - 2] === 0x0a) return length // the usual case: one or more whole events
  const nl = buf.lastIndexOf(NL2)
  if (nl >= 0 && nl + 2 === buf.length) return buf.length
  const crlf = buf.lastIndexOf(CRLF2)
  const cr = buf.lastIndexOf(CR2)
  return Math.max(nl < 0 ? -1 : nl + 2, crlf < 0 ? -1 : crlf + 4, cr < 0 ? -1 : cr + 2)
}

function count(buf: Buffer, needle: string): number {
  let n = 0
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + needle.length)) n++
  return n
}

/** `"usage":{...}` somewhere (every OpenAI chunk has `"usage":null` once include_usage is on). */
function hasUsageObject(buf: Buffer): boolean {
  for (let at = buf.indexOf(USAGE); at >= 0; at = buf.indexOf(USAGE, at + 8)) {
    let i = at + 8
    while (buf[i] === 0x20) i++
    if (buf[i] === 0x7b) return true
  }
  return false
}

const splitEvents = (text: string): string[] => text.split(/(?<=\n\n|\r\n\r\n|\r\r)/)

function fieldsOf(event: string): { name: string | undefined; data: string } {
  let name: string | undefined
  const data: string[] = []
  for (const line of event.split(/\r\n|\r|\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5))
    else if (line.startsWith('event:')) name = line.slice(6).trim()
  }
  return { name, data: data.join('\n') }
}

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const errorMessage = (payload: Record<string, unknown>): string => {
  const error = payload.error as { message?: unknown } | undefined
  return typeof error?.message === 'string' ? error.message : 'error event in stream'
}

// Text that means a token was generated: answer text, tool-call arguments, refusals, reasoning.
const OPENAI_TOKEN = /"(?:content|arguments|refusal|reasoning_content|reasoning)":\s*"[^"]/

/**
 * Forwards a provider's SSE byte stream in the client's (= the provider's) dialect with as little
 * work as possible: it splits on event boundaries and passes complete events through as the same
 * bytes; only the few events the relay needs (usage, errors, the terminator) are decoded and parsed.
 */
export class StreamScanner {
  readonly tally: StreamTally = { ended: false, deltas: 0 }
  private pending: Buffer | undefined
  private firstToken = false
  private usageRaw: Record<string, number> = {}

  constructor(
    private readonly dialect: ClientDialect,
    private readonly options: ScannerOptions,
  ) {}

  /** The bytes to forward for this chunk: complete events only; a partial event waits for the rest. */
  push(chunk: Uint8Array): Uint8Array[] {
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const buf = this.pending ? Buffer.concat([this.pending, view]) : view
    const end = lastBoundaryEnd(buf)
    if (end < 0) {
      this.pending = buf
      return []
    }
    const complete = end === buf.length ? buf : buf.subarray(0, end)
    this.pending = end === buf.length ? undefined : buf.subarray(end)
    return this.dialect === 'openai' ? this.openAi(complete) : this.anthropic(complete)
  }

  /** Whatever is left at the end of the body (an unterminated event), unchanged. */
  flush(): Uint8Array[] {
    const rest = this.pending
    this.pending = undefined
    return rest ? [rest] : []
  }

  private openAi(buf: Buffer): Uint8Array[] {
    this.tally.deltas++ // one token per chunk, roughly: counting events would cost a search per chunk
    if (!this.firstToken && OPENAI_TOKEN.test(buf.toString('latin1'))) this.markFirstToken()
    const interesting = buf.includes(DONE) || buf.includes(ERROR) || hasUsageObject(buf)
    if (!interesting) return [buf]
    let out = ''
    for (const event of splitEvents(buf.toString('utf8'))) {
      const { data } = fieldsOf(event)
      if (data === '[DONE]') {
        this.tally.ended = true
        out += this.options.beforeEnd() + event
        continue
      }
      const payload = data.includes('"error"') || data.includes('"usage"') ? parse(data) : undefined
      if (payload?.error) this.tally.error = errorMessage(payload)
      if (payload && typeof payload.usage === 'object' && payload.usage !== null) {
        this.tally.usage = openAiUsage(payload.usage)
        if (this.options.stripUsage && Array.isArray(payload.choices) && payload.choices.length === 0) continue
      }
      out += event
    }
    return [Buffer.from(out)]
  }

  private anthropic(buf: Buffer): Uint8Array[] {
    if (!this.firstToken && buf.includes('content_block_delta')) this.markFirstToken()
    this.tally.deltas += count(buf, '"content_block_delta"')
    const interesting = buf.includes('event: message_') || buf.includes('event: error') || buf.includes('event:message_') || buf.includes('event:error')
    if (!interesting) return [buf]
    let out = ''
    for (const event of splitEvents(buf.toString('utf8'))) {
      const { name, data } = fieldsOf(event)
      if (name === 'message_stop') {
        this.tally.ended = true
        out += this.options.beforeEnd() + event
        continue
      }
      if (name === 'message_start' || name === 'message_delta' || name === 'error') {
        const payload = parse(data)
        if (payload && name === 'error') this.tally.error = errorMessage(payload)
        const usage = name === 'message_start' ? (payload?.message as { usage?: unknown } | undefined)?.usage : payload?.usage
        if (typeof usage === 'object' && usage !== null) {
          // Cumulative: the latest value of each field wins.
          Object.assign(this.usageRaw, usage)
          this.tally.usage = anthropicUsage(this.usageRaw)
        }
      }
      out += event
    }
    return [Buffer.from(out)]
  }

  private markFirstToken(): void {
    this.firstToken = true
    this.options.onFirstToken()
  }
}
