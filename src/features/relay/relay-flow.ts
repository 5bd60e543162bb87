import type { ByteSink, PushBody } from '../../shared/byte-sink.ts'
import type { UsableModel } from '../models/model-access.port.ts'
import type { UpstreamBudget } from '../providers/upstream-budget.ts'
import type { RelayCall } from './relay-call.ts'
import type { RelayMeter } from './relay-meter.ts'
import type { RelayOptions } from './relay-options.ts'

/** What a relay call answers once every check passed and the provider accepted the request. */
export type RelayOutcome =
  | { kind: 'json'; body: string; overheadMs: number }
  /**
   * SSE bytes in the client's dialect, written into the transport's sink; failures after this point
   * arrive as an error event inside. Resolves once the stream ended and was accounted for.
   */
  | { kind: 'stream'; pipe: PushBody }

/** Writes an async sequence of chunks into a sink, waiting whenever the client is slow. */
export async function pipeChunks(chunks: AsyncIterable<Uint8Array>, sink: ByteSink): Promise<void> {
  for await (const bytes of chunks) {
    if (!sink.write(bytes)) await new Promise<void>((resume) => sink.onDrain(resume))
  }
}

/** Shared by the pass-through and the translating flows. */
export interface RelayContext {
  call: RelayCall
  model: UsableModel
  meter: RelayMeter
  /** Aborted when the client goes away: closes the upstream request. */
  signal: AbortSignal
  options: RelayOptions
  /** Every upstream attempt of this call (RELAY_MAX_ATTEMPTS) and its total deadline. */
  budget: UpstreamBudget
}

export type Early<T> = { value: T } | { error: unknown } | undefined

/**
 * Waits up to `ms` for `pending`: its value, its error, or undefined if it is still pending (then the
 * caller starts the response so heartbeats can flow, and awaits `pending` inside the stream).
 */
export async function settledWithin<T>(pending: Promise<T>, ms: number): Promise<Early<T>> {
  pending.catch(() => undefined) // awaited later inside the stream; not an unhandled rejection meanwhile
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([pending.then((value) => ({ value }), (error: unknown) => ({ error })), timeout])
  } finally {
    clearTimeout(timer)
  }
}

const encoder = new TextEncoder()
export const encode = (text: string): Uint8Array => encoder.encode(text)

export const overheadComment = (meter: RelayMeter): string => `: overhead-ms=${meter.overheadMs()}\n\n`
