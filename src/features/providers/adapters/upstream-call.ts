import type { Readable } from 'node:stream'
import { OutboundError, type OutboundResponse, type OutboundTransport } from '../../../shared/outbound/outbound-transport.port.ts'
import { OutboundAddressRefused, ProviderError, type ProviderKind } from '../ai-provider.port.ts'
import type { UpstreamBudget } from '../upstream-budget.ts'
import { errorFromResponse, networkError } from './provider-errors.ts'

/** Error bodies are read up to this size: enough for any provider's JSON error, bounded for memory. */
const MAX_ERROR_BODY = 64 * 1024

export interface UpstreamPost {
  provider: ProviderKind
  url: string
  headers: Record<string, string>
  body: string
  /** Only to redact error messages. */
  secret: string
  proxyUrl?: string | null
  /** A personal model's call: the outbound address policy applies (OutboundRoute.restricted). */
  restricted?: boolean
  signal?: AbortSignal
  /** The client call's attempt count and total deadline (every request counts one). */
  budget?: UpstreamBudget
}

const abortReason = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('This operation was aborted', 'AbortError')

const TIMEOUTS = new Set(['headers_timeout', 'idle_timeout', 'total_timeout'])

/**
 * The transport's failure as a ProviderError, its kind (proxy, connect_timeout...) as the provider
 * code: status 0 and retryable for network failures and connect timeouts (status 0, failed over
 * but not retried, for a proxy failure); status 504 and
 * NOT retried for a header, idle or total timeout, so a hung or trickling upstream costs one
 * timeout per candidate instead of one per attempt (the next candidate may still be tried).
 * A refused address is OutboundAddressRefused (403): no provider was involved.
 */
export function transportError(provider: ProviderKind, error: unknown, secret: string, midStream: boolean): ProviderError | OutboundAddressRefused {
  if (error instanceof OutboundError && error.kind === 'address_refused') return new OutboundAddressRefused(provider, error.message)
  const failure = networkError(provider, error, secret, midStream)
  if (!(error instanceof OutboundError)) return failure
  if (TIMEOUTS.has(error.kind)) {
    return new ProviderError('PROVIDER_UNAVAILABLE', { provider, status: 504, retryable: false, providerCode: error.kind, providerMessage: failure.providerMessage, midStream })
  }
  // A proxy that refused or could not be reached will not be back within the backoff: the next
  // account (failover) gets the attempt instead of the same dead route.
  if (error.kind === 'proxy') return new ProviderError('PROVIDER_UNAVAILABLE', { provider, status: 0, retryable: false, providerCode: 'proxy', providerMessage: failure.providerMessage, midStream })
  return Object.assign(failure, { providerCode: error.kind })
}

export async function readBounded(body: Readable, limit = MAX_ERROR_BODY): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = chunk as Buffer
    if (size + buffer.length > limit) {
      chunks.push(buffer.subarray(0, limit - size))
      body.destroy()
      break
    }
    chunks.push(buffer)
    size += buffer.length
  }
  return Buffer.concat(chunks).toString('utf8')
}

function headerBag(raw: OutboundResponse['headers']): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers.set(name, value)
    else if (Array.isArray(value)) headers.set(name, value.join(', '))
  }
  return headers
}

/**
 * POSTs a JSON body through the transport and resolves with the 2xx response; a non-2xx answer
 * becomes the dialect's ProviderError (its body read, bounded), a transport failure a network one.
 * An abort rejects with the signal's reason.
 */
export async function postUpstream(transport: OutboundTransport, call: UpstreamPost, accept: string): Promise<OutboundResponse> {
  const { signal, provider, secret } = call
  if (signal?.aborted) throw abortReason(signal)
  let response: OutboundResponse
  call.budget?.take()
  try {
    response = await transport.request({
      method: 'POST',
      url: call.url,
      headers: { 'content-type': 'application/json', accept, ...call.headers },
      body: call.body,
      route: { proxyUrl: call.proxyUrl ?? null, restricted: call.restricted === true },
      signal,
      deadline: call.budget?.deadline,
    })
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal)
    throw transportError(provider, error, secret, false)
  }
  if (response.status >= 200 && response.status < 300) return response
  const text = await readBounded(response.body).catch(() => '')
  if (signal?.aborted) throw abortReason(signal)
  throw errorFromResponse(provider, response.status, headerBag(response.headers), text, secret)
}
