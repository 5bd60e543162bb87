import { lookup } from 'node:dns/promises'
import { isIP, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { SocksClient } from 'socks'
import type { buildConnector } from 'undici'
import type { ProxyEndpoint } from './proxy-url.ts'

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
  host: string
  port: number
}

/** What an HTTP CONNECT proxy's answer other than 200 means. */
export function connectStatusError(status: number): ProxyTunnelError {
  return status === 407
    ? new ProxyTunnelError('proxy_auth_failed', 'proxy authentication failed (407)')
    : new ProxyTunnelError('proxy_refused', `proxy refused the tunnel (${status})`)
}

/**
 * A SOCKS5 CONNECT handshake (RFC 1928, user/password per RFC 1929). socks5 resolves the target here
 * and sends the IP; socks5h sends the host name for the proxy to resolve.
 */
export async function openSocksTunnel(proxy: ProxyEndpoint, target: TunnelTarget, timeoutMs: number): Promise<Socket> {
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
  if (message.startsWith('Proxy connection timed out')) return new ProxyTunnelError('timeout', `no SOCKS handshake within the connect timeout`)
  if (/Authentication failed|no accepted authentication type/.test(message)) {
    return new ProxyTunnelError('proxy_auth_failed', 'SOCKS authentication failed')
  }
  if (message.startsWith('Socks5 proxy rejected connection')) {
    return new ProxyTunnelError('proxy_refused', `SOCKS proxy refused the tunnel (${message.replace(/^.* - /, '')})`)
  }
  return new ProxyTunnelError('proxy_unreachable', `cannot reach the SOCKS proxy (${message})`)
}

export interface SocksConnectorOptions {
  timeoutMs: number
  ca?: string | Buffer
}

/** An undici connector that opens each connection through a SOCKS5 proxy, then TLS for https targets. */
export function socksConnector(proxy: ProxyEndpoint, { timeoutMs, ca }: SocksConnectorOptions): buildConnector.connector {
  const connector: buildConnector.connector = ({ hostname, port, protocol, servername }, callback) => {
    const host = hostname.replace(/^\[(.*)\]$/, '$1')
    const target = { host, port: Number(port) || (protocol === 'https:' ? 443 : 80) }
    openSocksTunnel(proxy, target, timeoutMs)
      .then<Socket>((socket): Socket | Promise<TLSSocket> => {
        socket.setKeepAlive(true, 60_000)
        if (protocol !== 'https:') return socket
        return startTls(socket, { servername: servername || (isIP(host) ? undefined : host), ca, timeoutMs })
      })
      .then(
        (socket: Socket) => callback(null, socket),
        (error: Error) => callback(error, null),
      )
  }
  return withDeadline(connector, timeoutMs)
}

function startTls(socket: Socket, { servername, ca, timeoutMs }: { servername?: string; ca?: string | Buffer; timeoutMs: number }) {
  return new Promise<TLSSocket>((resolve, reject) => {
    const tls = tlsConnect({ socket, servername, ALPNProtocols: ['http/1.1'], ...(ca && { ca }) })
    const timer = setTimeout(() => tls.destroy(new Error('TLS handshake timed out')), timeoutMs)
    tls.once('secureConnect', () => {
      clearTimeout(timer)
      tls.removeListener('error', reject)
      resolve(tls)
    })
    tls.once('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
  })
}

/**
 * Bounds a whole connect (proxy handshake included) by one deadline. A connection that arrives after
 * the deadline is closed; the inner steps carry their own timeouts, so nothing lingers for long.
 */
export function withDeadline(connector: buildConnector.connector, timeoutMs: number): buildConnector.connector {
  return (options, callback) => {
    let settled = false
    const timer = setTimeout(() => {
      settled = true
      callback(new ProxyTunnelError('timeout', `no tunnel within ${timeoutMs} ms`), null)
    }, timeoutMs)
    connector(options, (...[error, socket]) => {
      if (settled) return void socket?.destroy()
      settled = true
      clearTimeout(timer)
      if (error) callback(error, null)
      else callback(null, socket)
    })
  }
}
