import { PassThrough, type Readable } from 'node:stream'
import { Agent, request, type Dispatcher } from 'undici'
import { OutboundAddressPolicy } from './address-policy.ts'
import { guardedConnector, type Resolver } from './guarded-connector.ts'
import { OutboundError, type OutboundPolicy, type OutboundRequest, type OutboundResponse, type OutboundTransport, type ProxyCheck, type ProxyProbe } from './outbound-transport.port.ts'
import { proxyConnector } from './proxy-connector.ts'
import { openTunnel, ProxyTunnelError } from './proxy-tunnel.ts'
import { parseProxyUrl, type ProxyEndpoint } from './proxy-url.ts'

export interface UndiciTransportOptions {
  connectMs: number
  headersMs: number
  idleMs: number
  /** The whole call, response body included (UPSTREAM_TOTAL_TIMEOUT_MS). Default 10 minutes. */
  totalMs?: number
  /** What restricted routes (personal models) may connect to. Default: public addresses only. */
  policy?: OutboundPolicy
  /** How restricted routes resolve host names (tests). Default dns.lookup. */
  resolver?: Resolver
  /** Dispatchers kept for distinct proxies and connect timeouts (least recently used closed first). */
  maxDispatchers?: number
  /** Trusted CAs for every TLS connection (proxies and targets) instead of Node's bundled roots: private CAs, tests. */
  ca?: string | Buffer
}

/** UPSTREAM_TOTAL_TIMEOUT_MS's default: long enough for a whole streamed reply. */
export const DEFAULT_TOTAL_MS = 600_000

/** `scheme://user:password@` in any message becomes `scheme://***@`. */
const redact = (text: string): string => text.replace(/\/\/[^@/\s]*@/g, '//***@')
const errorCode = (error: unknown): string => (error as { code?: unknown } | null)?.code?.toString() ?? ''

/** Undici's and the tunnel's failures as OutboundErrors; messages never carry a credential. */
function outboundError(error: unknown, viaProxy: boolean): OutboundError {
  if (error instanceof OutboundError) return error
  if (error instanceof ProxyTunnelError) return new OutboundError(error.failure === 'timeout' ? 'connect_timeout' : 'proxy', `proxy: ${error.message}`)
  const code = errorCode(error)
  const message = redact(error instanceof Error ? error.message : String(error))
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new OutboundError('connect_timeout', 'connect timeout')
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new OutboundError('headers_timeout', 'no response headers within the headers timeout')
  if (code === 'UND_ERR_BODY_TIMEOUT') return new OutboundError('idle_timeout', 'the upstream sent nothing within the idle timeout')
  if (viaProxy && /ECONNREFUSED|ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(code)) {
    return new OutboundError('proxy', `proxy: the tunnel was cut (${code}: ${message})`)
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${redact(error.cause.message)}` : ''
  return new OutboundError('network', `${message}${cause}`)
}

/**
 * The one outbound transport: undici's `request` (a Node Readable body, no WHATWG streams) on
 * keep-alive Agents, one per route and connect timeout. A proxied Agent's connector opens every
 * connection through the proxy (HTTP CONNECT, over TLS for https://, or SOCKS5); it has no way to
 * connect directly, so a route with a proxy never falls back to a direct connection.
 */
export class UndiciTransport implements OutboundTransport, ProxyProbe {
  private readonly dispatchers = new Map<string, Dispatcher>()
  private readonly policy: OutboundPolicy

  constructor(private readonly options: UndiciTransportOptions) {
    this.policy = options.policy ?? new OutboundAddressPolicy()
  }

  async request(call: OutboundRequest): Promise<OutboundResponse> {
    const { connectMs, headersMs, idleMs } = this.options
    const timeouts = { connectMs, headersMs, idleMs, totalMs: this.options.totalMs ?? DEFAULT_TOTAL_MS, ...call.timeouts }
    const proxyUrl = call.route?.proxyUrl ?? null
    const viaProxy = proxyUrl !== null && proxyUrl !== ''
    // undici would open a connection (a tunnel, through a proxy) even for an aborted signal.
    call.signal?.throwIfAborted()
    // The total deadline: aborting closes the connection, in the request or while the body streams.
    const deadline = new AbortController()
    const totalTimeout = () => new OutboundError('total_timeout', `no complete answer within the total timeout (${timeouts.totalMs} ms)`)
    const shared = call.deadline
    if (shared) shared.at ??= Date.now() + timeouts.totalMs
    const remainingMs = shared ? shared.at! - Date.now() : timeouts.totalMs
    if (remainingMs <= 0) throw totalTimeout()
    const timer = setTimeout(() => deadline.abort(totalTimeout()), remainingMs)
    timer.unref()
    const signal = call.signal ? AbortSignal.any([call.signal, deadline.signal]) : deadline.signal
    const failure = (error: unknown): unknown => {
      if (call.signal?.aborted) return call.signal.reason ?? error
      if (deadline.signal.aborted) return deadline.signal.reason
      return outboundError(error, viaProxy)
    }
    try {
      const response = await request(call.url, {
        method: call.method,
        headers: call.body === undefined ? call.headers : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
        body: call.body,
        dispatcher: this.dispatcher(viaProxy ? proxyUrl : null, timeouts.connectMs, call.route?.restricted === true),
        signal,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.idleMs,
      })
      const body = withMappedErrors(response.body, failure)
      body.once('close', () => clearTimeout(timer))
      return { status: response.statusCode, headers: response.headers as OutboundResponse['headers'], body }
    } catch (error) {
      clearTimeout(timer)
      throw failure(error)
    }
  }

  /** ProxyProbe: TCP to the proxy and its handshake (CONNECT or SOCKS5) to the target; nothing sent to the target. */
  async check(proxyUrl: string, target: { host: string; port: number }, timeoutMs: number): Promise<ProxyCheck> {
    const started = performance.now()
    const latencyMs = () => Math.round(performance.now() - started)
    try {
      const socket = await openTunnel(parseProxyUrl(proxyUrl), target, { timeoutMs, ca: this.options.ca })
      socket.destroy()
      return { ok: true, latencyMs: latencyMs() }
    } catch (error) {
      if (error instanceof ProxyTunnelError) return { ok: false, latencyMs: latencyMs(), code: error.failure, message: error.message }
      return { ok: false, latencyMs: latencyMs(), code: 'proxy_unreachable', message: error instanceof Error ? redact(error.message) : 'proxy check failed' }
    }
  }

  async close(): Promise<void> {
    const open = [...this.dispatchers.values()]
    this.dispatchers.clear()
    await Promise.all(open.map((dispatcher) => dispatcher.close()))
  }

  /**
   * The Agent for a route (null: direct), connect timeout and restriction, kept in least-recently-used
   * order. A restricted route's connections all go through the policy (guardedConnector, or the
   * proxy connector with the policy), so a pooled connection was checked when it was opened.
   */
  private dispatcher(proxyUrl: string | null, connectMs: number, restricted: boolean): Dispatcher {
    const key = `${connectMs}|${restricted ? 'restricted' : 'any'}|${proxyUrl ?? ''}`
    const known = this.dispatchers.get(key)
    if (known) {
      this.dispatchers.delete(key)
      this.dispatchers.set(key, known)
      return known
    }
    const { ca, resolver } = this.options
    const guard = restricted ? { policy: this.policy, resolver } : {}
    const connect =
      proxyUrl !== null
        ? proxyConnector(parsedProxy(proxyUrl), { timeoutMs: connectMs, ca, ...guard })
        : restricted
          ? guardedConnector(this.policy, { timeout: connectMs, ca, resolver })
          : { timeout: connectMs, ...(ca && { ca }) }
    const dispatcher = new Agent({ connect, headersTimeout: this.options.headersMs, bodyTimeout: this.options.idleMs, keepAliveTimeout: 30_000 })
    this.dispatchers.set(key, dispatcher)
    if (this.dispatchers.size > (this.options.maxDispatchers ?? 256)) {
      const [oldest, evicted] = this.dispatchers.entries().next().value!
      this.dispatchers.delete(oldest)
      void evicted.close().catch(() => undefined)
    }
    return dispatcher
  }
}

function parsedProxy(proxyUrl: string): ProxyEndpoint {
  try {
    return parseProxyUrl(proxyUrl)
  } catch (error) {
    // ProxyUrlError messages never quote the URL.
    throw new OutboundError('proxy', error instanceof Error ? error.message : 'invalid proxy URL')
  }
}

/**
 * The body behind a PassThrough whose errors are mapped (OutboundErrors, or the abort reason), also
 * for a reader that arrives after the error. Destroying it destroys (and so closes) the response.
 */
function withMappedErrors(body: Readable, mapError: (error: unknown) => unknown): Readable {
  const out = new PassThrough()
  // Without a listener an error before anyone reads would crash the process; readers still get it.
  out.on('error', () => undefined)
  body.once('error', (error) => out.destroy(mapError(error) as Error))
  out.once('close', () => body.destroy())
  return body.pipe(out)
}
