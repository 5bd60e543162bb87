import { connect as netConnect, type Socket } from 'node:net'
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici'
import { OutboundError, type OutboundRequest, type OutboundResponse, type OutboundTransport, type ProxyCheck, type ProxyProbe } from './outbound-transport.port.ts'
import { openSocksTunnel, ProxyTunnelError, socksConnector, connectStatusError } from './proxy-tunnel.ts'
import { authority, formatProxy, parseProxyUrl, proxyAuthorization, type ProxyEndpoint } from './proxy-url.ts'

export interface UndiciTransportOptions {
  connectMs: number
  headersMs: number
  idleMs: number
  /** Dispatchers kept for distinct proxies (least recently used closed first). */
  maxDispatchers?: number
}

const errorCode = (error: unknown): string => (error as { code?: string } | null)?.code ?? ''

/** Undici's and the tunnel's failures as OutboundErrors; messages never carry a credential. */
function outboundError(error: unknown, viaProxy: boolean): OutboundError {
  if (error instanceof OutboundError) return error
  if (error instanceof ProxyTunnelError) return new OutboundError(error.failure === 'timeout' ? 'connect_timeout' : 'proxy', `proxy: ${error.message}`)
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new OutboundError(viaProxy ? 'proxy' : 'connect_timeout', viaProxy ? 'proxy: no tunnel within the connect timeout' : 'connect timeout')
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new OutboundError('headers_timeout', 'no response headers within the headers timeout')
  if (code === 'UND_ERR_BODY_TIMEOUT') return new OutboundError('idle_timeout', 'the upstream sent nothing within the idle timeout')
  if (code === 'UND_ERR_PRX_TLS' || /proxy/i.test(message)) return new OutboundError('proxy', `proxy: ${message.replace(/\/\/[^@/]*@/g, '//***@')}`)
  if (viaProxy && /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|socket/i.test(`${code} ${message}`)) {
    return new OutboundError('proxy', `proxy: cannot reach or keep the tunnel (${code || message})`)
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return new OutboundError('network', `${message}${cause}`)
}

/**
 * The one outbound transport: undici's `request` (a Node Readable body, no WHATWG streams) on
 * keep-alive dispatchers. Direct calls share one Agent; each proxy URL gets its own dispatcher
 * (ProxyAgent's CONNECT tunnel for http/https proxies, a SOCKS5 connector otherwise). A route with a
 * proxy never falls back to a direct connection: any failure to build or use it fails the call.
 */
export class UndiciTransport implements OutboundTransport, ProxyProbe {
  private readonly direct: Agent
  private readonly proxies = new Map<string, Dispatcher>()

  constructor(private readonly options: UndiciTransportOptions) {
    this.direct = new Agent(this.agentOptions())
  }

  async request(call: OutboundRequest): Promise<OutboundResponse> {
    const timeouts = { connectMs: this.options.connectMs, headersMs: this.options.headersMs, idleMs: this.options.idleMs, ...call.timeouts }
    const proxyUrl = call.route?.proxyUrl ?? null
    const viaProxy = proxyUrl !== null && proxyUrl !== ''
    try {
      // A per-call connect timeout applies to proxied calls (their dispatcher is per proxy and timeout).
      const dispatcher = viaProxy ? this.proxyDispatcher(proxyUrl, call.timeouts?.connectMs) : this.direct
      const response = await request(call.url, {
        method: call.method,
        headers: call.body === undefined ? call.headers : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) },
        body: call.body,
        dispatcher,
        signal: call.signal,
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.idleMs,
      })
      const { body } = response
      // Errors while reading the body surface as OutboundErrors too.
      body.on('error', () => undefined)
      return { status: response.statusCode, headers: response.headers as OutboundResponse['headers'], body: withMappedErrors(body, viaProxy) }
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason ?? error
      throw outboundError(error, viaProxy)
    }
  }

  /** ProxyProbe: TCP to the proxy and its handshake (CONNECT or SOCKS5) to the target; nothing sent to the target. */
  async check(proxyUrl: string, target: { host: string; port: number }, timeoutMs: number): Promise<ProxyCheck> {
    const started = performance.now()
    const latencyMs = () => Math.round(performance.now() - started)
    try {
      const proxy = parseProxyUrl(proxyUrl)
      const socket = proxy.protocol.startsWith('socks') ? await openSocksTunnel(proxy, target, timeoutMs) : await connectTunnel(proxy, target, timeoutMs)
      socket.destroy()
      return { ok: true, latencyMs: latencyMs() }
    } catch (error) {
      if (error instanceof ProxyTunnelError) return { ok: false, latencyMs: latencyMs(), code: error.failure, message: error.message }
      return { ok: false, latencyMs: latencyMs(), code: 'proxy_unreachable', message: error instanceof Error ? error.message.replace(/\/\/[^@/]*@/g, '//***@') : 'proxy check failed' }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.direct.close(), ...[...this.proxies.values()].map((d) => d.close())])
    this.proxies.clear()
  }

  private agentOptions(connectMs = this.options.connectMs) {
    return { connect: { timeout: connectMs }, headersTimeout: this.options.headersMs, bodyTimeout: this.options.idleMs, keepAliveTimeout: 30_000 }
  }

  private proxyDispatcher(proxyUrl: string, connectMs?: number): Dispatcher {
    const key = `${connectMs ?? ''}|${proxyUrl}`
    const known = this.proxies.get(key)
    if (known) {
      this.proxies.delete(key)
      this.proxies.set(key, known)
      return known
    }
    let proxy: ProxyEndpoint
    try {
      proxy = parseProxyUrl(proxyUrl)
    } catch (error) {
      throw new OutboundError('proxy', error instanceof Error ? error.message : 'invalid proxy URL')
    }
    const timeoutMs = connectMs ?? this.options.connectMs
    const dispatcher = proxy.protocol.startsWith('socks')
      ? new Agent({ ...this.agentOptions(timeoutMs), connect: socksConnector(proxy, { timeoutMs }) })
      : new ProxyAgent({
          ...this.agentOptions(timeoutMs),
          uri: formatProxy({ ...proxy, username: undefined, password: undefined }),
          ...(proxyAuthorization(proxy) ? { token: proxyAuthorization(proxy) } : {}),
          proxyTls: { timeout: timeoutMs },
          requestTls: { timeout: timeoutMs },
        })
    this.proxies.set(key, dispatcher)
    if (this.proxies.size > (this.options.maxDispatchers ?? 256)) {
      const [oldest, evicted] = this.proxies.entries().next().value!
      this.proxies.delete(oldest)
      void evicted.close()
    }
    return dispatcher
  }
}

/** Re-emits a body's read errors as OutboundErrors (idle timeout, a cut connection). */
function withMappedErrors<T extends NodeJS.EventEmitter>(body: T, viaProxy: boolean): T {
  const emit = body.emit.bind(body)
  body.emit = ((event: string, ...args: unknown[]) => (event === 'error' ? emit('error', outboundError(args[0], viaProxy)) : emit(event, ...args))) as T['emit']
  return body
}

/** An HTTP CONNECT handshake to the target through the proxy (for the proxy check). */
function connectTunnel(proxy: ProxyEndpoint, target: { host: string; port: number }, timeoutMs: number) {
  return new Promise<Socket>((resolve, reject) => {
    const socket = netConnect({ host: proxy.host, port: proxy.port })
    const timer = setTimeout(() => fail(new ProxyTunnelError('timeout', `no answer from the proxy within ${timeoutMs} ms`)), timeoutMs)
    const fail = (error: Error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error instanceof ProxyTunnelError ? error : new ProxyTunnelError('proxy_unreachable', `cannot reach the proxy (${errorCode(error) || error.message})`))
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      const auth = proxyAuthorization(proxy)
      socket.write(`CONNECT ${authority(target.host, target.port)} HTTP/1.1\r\nHost: ${authority(target.host, target.port)}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`)
    })
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n')) return
      const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? 0)
      clearTimeout(timer)
      socket.removeAllListeners('data')
      if (status === 200) return resolve(socket)
      socket.destroy()
      reject(connectStatusError(status))
    })
  })
}
