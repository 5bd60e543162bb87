import { lookup } from 'node:dns/promises'
import { connect as netConnect, isIP, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { SocksClient } from 'socks'
import { authority, proxyAuthorization, type ProxyEndpoint } from './proxy-url.ts'

/**
 * Opening a tunnel to a target through a proxy: HTTP CONNECT (over TLS for https:// proxies) or
 * SOCKS5. The same code serves requests (through the connector) and the proxy check.
 */

/** Why a tunnel through a proxy could not be opened; the message never holds a credential. */
export type ProxyTunnelFailure = 'proxy_unreachable' | 'proxy_auth_failed' | 'proxy_refused' | 'timeout'

export class ProxyTunnelError extends Error {
  constructor(
    readonly failure: ProxyTunnelFailure,
    message: string,
  ) {
    super(message)
    this.name = 'ProxyTunnelError'
  }
}

export interface TunnelTarget {
  /** Without brackets for IPv6. */
  host: string
  port: number
}

export interface TunnelOptions {
  timeoutMs: number
  /** Trusted CAs for TLS (to an https:// proxy, and to https targets in the connector). */
  ca?: string | Buffer
}

/** A raw socket to the target through the proxy, within options.timeoutMs (DNS and handshakes included). */
export function openTunnel(proxy: ProxyEndpoint, target: TunnelTarget, options: TunnelOptions): Promise<Socket> {
  const opening = proxy.protocol === 'socks5' || proxy.protocol === 'socks5h' ? openSocksTunnel(proxy, target, options.timeoutMs) : openHttpTunnel(proxy, target, options)
  return withDeadline(opening, options.timeoutMs)
}

/**
 * Bounds an opening socket by one deadline: a socket that arrives after it is destroyed. The inner
 * steps carry their own timeouts, so nothing lingers for long.
 */
export function withDeadline<T extends Socket>(opening: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false
    const timer = setTimeout(() => {
      late = true
      reject(new ProxyTunnelError('timeout', `no tunnel through the proxy within ${timeoutMs} ms`))
    }, timeoutMs)
    opening.then(
      (socket) => {
        clearTimeout(timer)
        if (late) socket.destroy()
        else resolve(socket)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** What an HTTP CONNECT proxy's answer other than 200 means. */
export function connectStatusError(status: number): ProxyTunnelError {
  if (status === 407) return new ProxyTunnelError('proxy_auth_failed', 'proxy authentication failed (407)')
  if (status === 0) return new ProxyTunnelError('proxy_refused', 'the proxy did not answer CONNECT with HTTP')
  return new ProxyTunnelError('proxy_refused', `proxy refused the tunnel (${status})`)
}

const MAX_CONNECT_ANSWER = 16 * 1024

/** CONNECT host:port, reading the proxy's whole answer head (to the blank line) before handing the socket on. */
function openHttpTunnel(proxy: ProxyEndpoint, target: TunnelTarget, { timeoutMs, ca }: TunnelOptions): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const tls = proxy.protocol === 'https'
    const socket = tls
      ? tlsConnect({ host: proxy.host, port: proxy.port, servername: isIP(proxy.host) ? undefined : proxy.host, ALPNProtocols: ['http/1.1'], ...(ca && { ca }) })
      : netConnect({ host: proxy.host, port: proxy.port })
    let head = Buffer.alloc(0)
    const settle = () => {
      clearTimeout(timer)
      socket.off('data', onData).off('error', onError).off('close', onClose)
    }
    const fail = (error: ProxyTunnelError) => {
      settle()
      socket.destroy()
      reject(error)
    }
    const onError = (error: Error) => fail(new ProxyTunnelError('proxy_unreachable', `cannot reach the proxy (${error.message})`))
    const onClose = () => fail(new ProxyTunnelError('proxy_unreachable', 'the proxy closed the connection before answering CONNECT'))
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end === -1) return void (head.length > MAX_CONNECT_ANSWER && fail(connectStatusError(0)))
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? 0)
      if (status !== 200) return fail(connectStatusError(status))
      settle()
      socket.pause()
      if (head.length > end + 4) socket.unshift(head.subarray(end + 4))
      resolve(socket)
    }
    const timer = setTimeout(() => fail(new ProxyTunnelError('timeout', `no answer to CONNECT within ${timeoutMs} ms`)), timeoutMs)
    socket.on('data', onData).on('error', onError).on('close', onClose)
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(connectRequest(proxy, target)))
  })
}

function connectRequest(proxy: ProxyEndpoint, target: TunnelTarget): string {
  const where = authority(target.host, target.port)
  const auth = proxyAuthorization(proxy)
  return `CONNECT ${where} HTTP/1.1\r\nHost: ${where}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}Proxy-Connection: keep-alive\r\n\r\n`
}

/**
 * A SOCKS5 CONNECT handshake (RFC 1928, user/password per RFC 1929). socks5 resolves the target here
 * and sends the IP; socks5h sends the host name for the proxy to resolve.
 */
async function openSocksTunnel(proxy: ProxyEndpoint, target: TunnelTarget, timeoutMs: number): Promise<Socket> {
  const host = proxy.protocol === 'socks5' && !isIP(target.host) ? await resolve(target.host) : target.host
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.host, port: proxy.port, type: 5, userId: proxy.username, password: proxy.password },
      command: 'connect',
      destination: { host, port: target.port },
      timeout: timeoutMs,
      set_tcp_nodelay: true,
    })
    return socket
  } catch (error) {
    // A SocksClientError carries the client options, password included: only its message travels on.
    throw socksError(error instanceof Error ? error.message : String(error))
  }
}

async function resolve(host: string): Promise<string> {
  try {
    return (await lookup(host)).address
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed'
    throw new ProxyTunnelError('proxy_refused', `cannot resolve ${host} locally (${code}); socks5h:// lets the proxy resolve it`)
  }
}

function socksError(message: string): ProxyTunnelError {
  if (message.startsWith('Proxy connection timed out')) return new ProxyTunnelError('timeout', 'no SOCKS handshake within the connect timeout')
  if (/Authentication failed|no accepted authentication type/i.test(message)) {
    return new ProxyTunnelError('proxy_auth_failed', 'SOCKS authentication failed')
  }
  if (message.startsWith('Socks5 proxy rejected connection')) {
    return new ProxyTunnelError('proxy_refused', `SOCKS proxy refused the tunnel (${message.replace(/^.* - /, '')})`)
  }
  return new ProxyTunnelError('proxy_unreachable', `cannot reach the SOCKS proxy (${message})`)
}
