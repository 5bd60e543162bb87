import { ProviderError } from '../providers/ai-provider.port.ts'
import { openWithFailover, type CandidateCall } from '../providers/failover.ts'
import { restrictedOutbound, type ModelConfig } from '../models/model-config.ts'
import { streamErrorEvent } from './dialect-errors.ts'
import type { ByteSource, PassthroughResponse, ProviderPassthrough } from './provider-passthrough.port.ts'
import { estimateInputTokens, type ClientDialect, type RelayCall } from './relay-call.ts'
import type { ByteSink } from '../../shared/byte-sink.ts'
import { encode, overheadComment, settledWithin, type RelayContext, type RelayOutcome } from './relay-flow.ts'
import { upstreamStatusOf, type RelayEnd } from './relay-meter.ts'
import { openWithRetries } from './relay-retry.ts'
import { StreamScanner } from './stream-scanner.ts'
import { anthropicUsage, openAiUsage } from './wire-usage.ts'

// o-series and gpt-5 reject non-default sampling parameters: model defaults are not added for them.
const isReasoningModel = (model: string) => /^(o\d|gpt-5)/.test(model.replace(/^.*\//, ''))

/**
 * The client's body for the provider: the model id rewritten, the model's sampling defaults where
 * the client set none, the output limit capped at the model's, and (OpenAI streams) usage requested.
 * Everything else, tools included, goes through untouched.
 */
export function upstreamBody(call: RelayCall, config: ModelConfig): Record<string, unknown> {
  const body: Record<string, unknown> = { ...call.body, model: config.modelId }
  const defaults = config.defaultParams
  if (!isReasoningModel(config.modelId)) {
    if (body.temperature === undefined && defaults.temperature !== undefined) body.temperature = defaults.temperature
    if (body.top_p === undefined && defaults.topP !== undefined) body.top_p = defaults.topP
  }
  const stopField = call.dialect === 'openai' ? 'stop' : 'stop_sequences'
  if (body[stopField] === undefined && defaults.stop?.length) body[stopField] = defaults.stop
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const value = body[field]
    if (typeof value === 'number' && value > config.maxOutputTokens) body[field] = config.maxOutputTokens
  }
  if (call.dialect === 'openai' && call.stream) {
    body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true }
  }
  return body
}

async function readAll(body: ByteSource): Promise<string> {
  const chunks: Uint8Array[] = []
  await body.read((chunk) => chunks.push(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

function usageOfJson(call: RelayCall, text: string) {
  try {
    const usage = (JSON.parse(text) as { usage?: unknown }).usage
    return call.dialect === 'openai' ? openAiUsage(usage) : anthropicUsage(usage)
  } catch {
    return undefined
  }
}

/** Same dialect on both sides: the body goes upstream almost verbatim and the answer comes back as the same bytes. */
export async function relayPassthrough(passthrough: ProviderPassthrough, ctx: RelayContext): Promise<RelayOutcome> {
  const { call, model, meter, signal, options, budget } = ctx
  const provider = call.dialect
  if (provider === 'gemini') throw new Error('Gemini calls have no pass-through (RelayCompletion translates them)')
  const headers: Record<string, string> = {}
  if (call.anthropicVersion) headers['anthropic-version'] = call.anthropicVersion
  if (call.anthropicBeta) headers['anthropic-beta'] = call.anthropicBeta
  const request = {
    provider,
    baseUrl: model.config.baseUrl,
    body: JSON.stringify(upstreamBody(call, model.config)),
    stream: call.stream,
    headers,
    restricted: restrictedOutbound(model.config),
    signal,
    budget,
  }
  // Chat's order: retries with one key (RetryingAiProvider's rule), then the model's next pooled key.
  const open = (call: CandidateCall) =>
    openWithRetries(() => passthrough.open({ ...request, ...call, baseUrl: call.baseUrl ?? request.baseUrl }), options.retry, signal, budget)
  const opening = meter.provider(openWithFailover(open, model, signal, budget))

  if (!call.stream) {
    const response = await opening
    const text = await meter.provider(readAll(response.body))
    const estimate = { inputTokens: estimateInputTokens(call), outputTokens: 0 }
    await meter.finish({ status: 'complete', upstreamStatus: '200', reported: usageOfJson(call, text), estimate })
    return { kind: 'json', body: text, overheadMs: meter.overheadMs() }
  }

  const early = await settledWithin(opening, options.commitAfterMs)
  if (early && 'error' in early) throw early.error
  meter.streamOpened()
  return { kind: 'stream', pipe: (sink) => forward(ctx, early ? early.value : opening, sink) }
}

/**
 * Forwards the provider's stream into the client's sink as the provider pushes it: complete events
 * pass through as the same bytes (StreamScanner), and a slow client pauses the provider's body.
 * Time between chunks is the provider's, time paused is the client's; the rest is overhead.
 */
async function forward(ctx: RelayContext, opened: PassthroughResponse | Promise<PassthroughResponse>, sink: ByteSink): Promise<void> {
  const { call, meter, signal } = ctx
  const scanner = new StreamScanner(call.dialect, {
    stripUsage: call.dialect === 'openai' && !call.includeUsage,
    beforeEnd: () => overheadComment(meter),
    onFirstToken: () => meter.firstToken(),
  })
  let end: RelayEnd
  try {
    const { body } = await meter.provider(Promise.resolve(opened))
    let idleSince = performance.now()
    const resume = () => {
      const now = performance.now()
      meter.clientWaited(now - idleSince)
      idleSince = now
      body.resume()
    }
    await body.read((chunk) => {
      meter.providerWaited(performance.now() - idleSince)
      let slow = false
      for (const piece of scanner.push(chunk)) slow = !sink.write(piece) || slow
      idleSince = performance.now()
      if (slow) {
        body.pause()
        sink.onDrain(resume)
      }
    })
    for (const piece of scanner.flush()) sink.write(piece)
    if (scanner.tally.error !== undefined) end = { status: 'error', upstreamStatus: '200' }
    else if (!scanner.tally.ended) {
      end = { status: 'error', upstreamStatus: '200' }
      sink.write(encode(streamErrorEvent(call.dialect, truncated(call.dialect))))
    } else end = { status: 'complete', upstreamStatus: '200' }
  } catch (err) {
    end = { status: signal.aborted ? 'aborted' : 'error', upstreamStatus: upstreamStatusOf(err, signal.aborted) }
    if (!signal.aborted) sink.write(encode(streamErrorEvent(call.dialect, err)))
  }
  const { usage, ended, deltas } = scanner.tally
  const started = usage !== undefined || deltas > 0
  const outputTokens = ended ? 0 : Math.max(usage?.outputTokens ?? 0, deltas)
  await meter.finish({
    ...end,
    reported: ended ? usage : { ...usage, outputTokens: undefined },
    estimate: started ? { inputTokens: estimateInputTokens(call), outputTokens } : undefined,
  })
}

const truncated = (provider: ClientDialect) =>
  new ProviderError('PROVIDER_UNAVAILABLE', { provider, status: 200, retryable: true, providerMessage: 'the provider stream ended before its terminator', midStream: true })
