import type { ProviderKind } from '../ai-provider.port.ts'
import { errorFromResponse, networkError, protocolError } from './provider-errors.ts'
import { readSse, SseBufferOverflow, type SseItem } from './sse.ts'

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>

export interface UpstreamCall {
  provider: ProviderKind
  url: string
  headers: Record<string, string>
  body: unknown
  /** Only used to redact error messages. */
  apiKey: string
  signal?: AbortSignal
}

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError')

/**
 * POSTs a JSON body and yields the SSE items of a 2xx response. Non-2xx and network failures
 * become ProviderErrors. The connection is closed when the caller's signal aborts (the iteration
 * then rejects with the signal's reason) and when the consumer stops iterating early.
 */
export async function* postSse(call: UpstreamCall, fetchImpl: FetchLike): AsyncGenerator<SseItem> {
  const { signal, provider, apiKey } = call
  if (signal?.aborted) throw abortReason(signal)
  const controller = new AbortController()
  const onAbort = () => controller.abort(signal?.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    let response: Response
    try {
      response = await fetchImpl(call.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...call.headers },
        body: JSON.stringify(call.body),
        signal: controller.signal,
      })
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal)
      throw networkError(provider, error, apiKey, false)
    }

    if (!response.ok) {
      const text = await response.text().catch(() => '')
      if (signal?.aborted) throw abortReason(signal)
      throw errorFromResponse(provider, response.status, response.headers, text, apiKey)
    }
    if (!response.body) throw networkError(provider, new Error('response has no body'), apiKey, true)

    try {
      yield* readSse(response.body)
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal)
      if (error instanceof SseBufferOverflow) throw protocolError(provider, error.message, false)
      throw networkError(provider, error, apiKey, true)
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    // No-op after a complete response; otherwise it tears the connection down.
    controller.abort()
  }
}

export const trimSlash = (url: string): string => url.replace(/\/+$/, '')
