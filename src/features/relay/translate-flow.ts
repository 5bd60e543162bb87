import type { AiProvider, CompletionRequest, FinishReason, ProviderEvent, TokenUsage } from '../providers/ai-provider.port.ts'
import { streamWithFailover } from '../providers/failover.ts'
import { restrictedOutbound } from '../models/model-config.ts'
import type { AnswerToolCall } from './client-format.ts'
import { CLIENT_FORMATS } from './client-formats.ts'
import { estimateInputTokens, type RelayCall } from './relay-call.ts'
import { encode, overheadComment, pipeChunks, settledWithin, type RelayContext, type RelayOutcome } from './relay-flow.ts'
import { upstreamStatusOf, type RelayEnd } from './relay-meter.ts'

type Events = AsyncIterator<ProviderEvent>

interface Collected {
  chars: number
  usage: TokenUsage
  finish: FinishReason
  toolCalls: AnswerToolCall[]
}

const collecting = (): Collected => ({ chars: 0, usage: {}, finish: 'other', toolCalls: [] })

/** The provider's figures where it gave them, our estimates (prompt chars / 4, output chars / 4) elsewhere. */
const filled = (call: RelayCall, c: Collected): TokenUsage => ({
  ...c.usage,
  inputTokens: c.usage.inputTokens ?? estimateInputTokens(call),
  outputTokens: c.usage.outputTokens ?? Math.ceil(c.chars / 4),
})

/** Returns the event when it is content for the client (text or a tool-call piece); keeps the rest. */
function take(event: ProviderEvent, into: Collected): Extract<ProviderEvent, { type: 'delta' | 'tool_call' }> | undefined {
  if (event.type === 'delta') {
    into.chars += event.text.length
    return event
  }
  if (event.type === 'tool_call') {
    into.chars += event.argumentsDelta.length
    const call = (into.toolCalls[event.index] ??= { id: event.id ?? `call_${event.index}`, name: event.name ?? '', arguments: '' })
    if (event.id !== undefined) call.id = event.id
    if (event.name !== undefined) call.name = event.name
    call.arguments += event.argumentsDelta
    return event
  }
  if (event.type === 'usage') into.usage = event.usage
  else if (event.type === 'finish') into.finish = event.reason
  return undefined
}

/**
 * The client speaks another dialect than the model (or the model or the client is Gemini): the request goes
 * through the AiProvider port (RetryingAiProvider retries before the first event) and its
 * normalised events are written back in the client's dialect.
 */
export async function relayTranslated(provider: AiProvider, request: Omit<CompletionRequest, 'signal'>, ctx: RelayContext): Promise<RelayOutcome> {
  const { call, meter, signal, options } = ctx
  const events = streamWithFailover(provider, { ...request, restricted: restrictedOutbound(ctx.model.config), signal, budget: ctx.budget }, ctx.model)
  const first = meter.provider(events.next())

  if (!call.stream) {
    const got = collecting()
    let text = ''
    for (let next = await first; !next.done; next = await meter.provider(events.next())) {
      const content = take(next.value, got)
      if (content !== undefined) meter.firstToken()
      if (content?.type === 'delta') text += content.text
    }
    const usage = filled(call, got)
    await meter.finish({ status: 'complete', upstreamStatus: '200', reported: got.usage, estimate: { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens! } })
    const json = CLIENT_FORMATS[call.dialect].json(call, { text, toolCalls: got.toolCalls.filter(Boolean), finish: got.finish, usage })
    return { kind: 'json', body: json, overheadMs: meter.overheadMs() }
  }

  const early = await settledWithin(first, options.commitAfterMs)
  if (early && 'error' in early) throw early.error
  meter.streamOpened()
  const chunks = translate(ctx, events, early ? early.value : first)
  return { kind: 'stream', pipe: (sink) => pipeChunks(chunks, sink) }
}

async function* translate(ctx: RelayContext, events: Events, first: IteratorResult<ProviderEvent> | Promise<IteratorResult<ProviderEvent>>): AsyncGenerator<Uint8Array> {
  const { call, meter, signal } = ctx
  const writer = CLIENT_FORMATS[call.dialect].writer(call, estimateInputTokens(call))
  const got = collecting()
  let end: RelayEnd | undefined
  let started = false
  try {
    let next = await meter.provider(Promise.resolve(first))
    started = true
    const head = writer.start()
    if (head) yield encode(head)
    for (; !next.done; next = await meter.provider(events.next())) {
      const content = take(next.value, got)
      if (content === undefined) continue
      meter.firstToken()
      const wire = content.type === 'delta' ? writer.delta(content.text) : writer.toolCall(content)
      if (wire === '') continue
      const since = performance.now()
      yield encode(wire)
      meter.clientWaited(performance.now() - since)
    }
    yield encode(writer.end(got.finish, filled(call, got), overheadComment(meter)))
    end = { status: 'complete', upstreamStatus: '200' }
  } catch (err) {
    end = { status: signal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, signal.aborted) }
    if (!signal.aborted) yield encode(writer.error(err))
  } finally {
    // No `end` yet: the consumer stopped iterating (the client left while we were yielding).
    end ??= { status: 'aborted', upstreamStatus: 'aborted' }
    if (end.status === 'aborted') void events.return?.(undefined)
    const usage = filled(call, got)
    const estimate = started ? { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens! } : undefined
    await meter.finish({ ...end, reported: got.usage, estimate })
  }
}
