import type { Readable } from 'node:stream'
import type { OutboundTransport } from '../../../shared/outbound/outbound-transport.port.ts'
import type { ByteSource, PassthroughRequest, PassthroughResponse, ProviderPassthrough } from '../../relay/provider-passthrough.port.ts'
import { DIALECTS } from './dialects/dialects.ts'
import { defaultBaseUrl } from '../provider-catalog.ts'
import { transportError, postUpstream } from './upstream-call.ts'

/**
 * The relay's pass-through: a body already in the provider's dialect goes to the dialect's endpoint
 * with the dialect's auth headers, through the one outbound transport (the account's proxy, if
 * any), and the 2xx body comes back unparsed as a ByteSource.
 */
export class HttpPassthrough implements ProviderPassthrough {
  constructor(private readonly transport: OutboundTransport) {}

  async open(request: PassthroughRequest): Promise<PassthroughResponse> {
    const dialect = DIALECTS[request.provider]
    const credential = { type: request.authType ?? 'api_key', secret: request.apiKey } as const
    const { 'anthropic-beta': clientBeta, ...clientHeaders } = request.headers ?? {}
    const response = await postUpstream(
      this.transport,
      {
        provider: request.provider,
        url: dialect.completionUrl(request.baseUrl || defaultBaseUrl(request.provider), '', request.stream, credential),
        headers: { ...dialect.headers(credential, clientBeta), ...clientHeaders },
        body: request.body,
        secret: request.apiKey,
        proxyUrl: request.proxyUrl,
        restricted: request.restricted,
        signal: request.signal,
        budget: request.budget,
      },
      request.stream ? 'text/event-stream' : 'application/json',
    )
    return { body: bodySource(response.body, request) }
  }
}

/**
 * The 2xx body as a ByteSource: 'data' events straight to the reader (what a pipe does), with
 * pause/resume for backpressure. A body that closes before its end fails the read.
 */
function bodySource(body: Readable, request: PassthroughRequest): ByteSource {
  return {
    read(onChunk) {
      return new Promise<void>((resolve, reject) => {
        let settled = false
        const settle = (error?: unknown) => {
          if (settled) return
          settled = true
          body.off('data', onChunk)
          if (error === undefined) return resolve()
          // Left early (client gone, error): close the upstream connection rather than drain it.
          body.destroy()
          reject(request.signal.aborted ? request.signal.reason : transportError(request.provider, error, request.apiKey, true))
        }
        const cut = () => settle(new Error('the provider closed the connection before the end of the body'))
        body.on('data', onChunk)
        body.once('end', () => settle())
        body.once('error', (error) => settle(error))
        body.once('close', () => {
          if (!body.readableEnded) cut()
        })
        const onAbort = () => cut()
        request.signal.addEventListener('abort', onAbort, { once: true })
        body.once('close', () => request.signal.removeEventListener('abort', onAbort))
        if (body.destroyed && !body.readableEnded) cut() // closed (e.g. aborted) before anyone read it
      })
    },
    pause: () => void body.pause(),
    resume: () => void body.resume(),
  }
}
