import type { AiProvider, CompletionRequest, FinishReason, ProviderEvent, TokenUsage } from '../../providers/ai-provider.port.ts'
import { streamWithFailover } from '../../providers/failover.ts'
import { restrictedOutbound } from '../../models/model-config.ts'
import { meaningOf } from '../dialect-errors.ts'
import { encode, overheadComment, pipeChunks, settledWithin, type RelayContext, type RelayOutcome } from '../relay-flow.ts'
import { upstreamStatusOf, type RelayEnd } from '../relay-meter.ts'
import { ResponseWriter } from './response-writer.ts'
import type { ResponsesCall } from './responses-request.ts'

type Events = AsyncIterator<ProviderEvent>

export interface ResponsesContext extends Omit<RelayContext, 'call'> {
  call: ResponsesCall
  /** Prompt tokens reserved before the call (chars / 4), used when the provider reports none. */
  estimatedInputTokens: number
}

interface Collected {
  chars: number
  usage: TokenUsage
  finish: FinishReason
}

const filled = (ctx: ResponsesContext, c: Collected): TokenUsage => ({
  ...c.usage,
  inputTokens: c.usage.inputTokens ?? ctx.estimatedInputTokens,
  outputTokens: c.usage.outputTokens ?? Math.ceil(c.chars / 4),
})

/** Counts what the event carries; true for output (text or a tool call). */
function take(event: ProviderEvent, into: Collected): boolean {
  if (event.type === 'delta') into.chars += event.text.length
  else if (event.type === 'tool_call') into.chars += event.argumentsDelta.length + (event.name?.length ?? 0)
  else if (event.type === 'usage') into.usage = event.usage
  else into.finish = event.reason
  return event.type === 'delta' || event.type === 'tool_call'
}

/**
 * POST /v1/responses through the AiProvider port (every provider kind, retries and failover before
 * the first event), answered as one Response object or as its typed SSE events.
 */
export async function relayResponses(provider: AiProvider, request: Omit<CompletionRequest, 'signal'>, ctx: ResponsesContext): Promise<RelayOutcome> {
  const { call, meter, signal, options } = ctx
  const events = streamWithFailover(provider, { ...request, restricted: restrictedOutbound(ctx.model.config), signal, budget: ctx.budget }, ctx.model)
  const first = meter.provider(events.next())
  const writer = new ResponseWriter(call.model, call.echo)

  if (!call.stream) {
    const got: Collected = { chars: 0, usage: {}, finish: 'other' }
    for (let next = await first; !next.done; next = await meter.provider(events.next())) {
      if (take(next.value, got)) meter.firstToken()
      writer.take(next.value)
    }
    const usage = filled(ctx, got)
    writer.end(got.finish, usage)
    await meter.finish({ status: 'complete', upstreamStatus: '200', reported: got.usage, estimate: { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens! } })
    return { kind: 'json', body: JSON.stringify(writer.response()), overheadMs: meter.overheadMs() }
  }

  const early = await settledWithin(first, options.commitAfterMs)
  if (early && 'error' in early) throw early.error
  meter.streamOpened()
  const chunks = stream(ctx, writer, events, early ? early.value : first)
  return { kind: 'stream', pipe: (sink) => pipeChunks(chunks, sink) }
}

async function* stream(ctx: ResponsesContext, writer: ResponseWriter, events: Events, first: IteratorResult<ProviderEvent> | Promise<IteratorResult<ProviderEvent>>): AsyncGenerator<Uint8Array> {
  const { meter, signal } = ctx
  const got: Collected = { chars: 0, usage: {}, finish: 'other' }
  let end: RelayEnd | undefined
  let started = false
  try {
    let next = await meter.provider(Promise.resolve(first))
    started = true
    yield encode(writer.start())
    for (; !next.done; next = await meter.provider(events.next())) {
      if (take(next.value, got)) meter.firstToken()
      const out = writer.take(next.value)
      if (out === '') continue
      const since = performance.now()
      yield encode(out)
      meter.clientWaited(performance.now() - since)
    }
    yield encode(writer.end(got.finish, filled(ctx, got), overheadComment(meter)))
    end = { status: 'complete', upstreamStatus: '200' }
  } catch (err) {
    end = { status: signal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, signal.aborted) }
    if (!signal.aborted) {
      const { meaning } = meaningOf(err)
      const failure = { code: meaning.openai.code ?? meaning.openai.type, message: meaning.message, param: meaning.openai.param ?? null }
      yield encode((started ? '' : writer.start()) + writer.fail(failure, filled(ctx, got)))
    }
  } finally {
    // No `end` yet: the consumer stopped iterating (the client left while we were yielding).
    end ??= { status: 'aborted', upstreamStatus: 'aborted' }
    if (end.status === 'aborted') void events.return?.(undefined)
    const usage = filled(ctx, got)
    const estimate = started ? { inputTokens: usage.inputTokens!, outputTokens: usage.outputTokens! } : undefined
    await meter.finish({ ...end, reported: got.usage, estimate })
  }
}
